"""A graded notebook full of student HTML, and the pages the kit renders from it.

:func:`hostile_notebook` is the fixture lesson as the autograder leaves it (scores in the nbgrader
metadata, as ``GetGrades`` puts them) with every way a student can put script into a page: a
``<script>`` and a ``javascript:`` link in markdown, ``<img onerror>`` and ``<svg onload>`` in the
written answer, ``text/html``, ``application/javascript``, ``image/svg+xml`` and ``text/markdown``
outputs, an ``isolated`` iframe, a widget state whose HTML widget holds ``<img onerror>``, a cell tag
that tries to close its attribute. Each payload calls ``console.log(PAYLOAD_HIT)`` when it runs.

The pages: :func:`feedback_page` (nbgrader's feedback template with the course's feedback
preprocessors), :func:`formgrader_page` (the Formgrader's exporter and template, configured by the
course's ``nbgrader_config.py``), the answer key (:func:`autograder.commands.build.write_answer_key_html`).
"""

from pathlib import Path

import nbformat

from autograder.notebooks.cells import find_cell, is_grade_cell, nbgrader_metadata

PAYLOAD_HIT = "student-script-ran"
RUN = f"console.log('{PAYLOAD_HIT}')"

HTML_PAYLOADS = [
    f"<script>{RUN}</script>",
    f'<img src="x" onerror="{RUN}">',
    f'<svg onload="{RUN}"><circle r="3"/></svg>',
    f'<a href="javascript:{RUN}" id="js-link">a link</a>',
    f'<iframe srcdoc="<script>{RUN}</script>"></iframe>',
    f'<details open ontoggle="{RUN}">x</details>',
]


def _output(data, metadata=None):
    return nbformat.v4.new_output("display_data", data=data, metadata=metadata or {})


def hostile_notebook(source_path):
    """The fixture's reference notebook, graded (all points) and full of student script."""
    notebook = nbformat.read(str(source_path), as_version=4)
    for cell in notebook.cells:
        if is_grade_cell(cell):
            metadata = nbgrader_metadata(cell)
            metadata["score"] = metadata.get("points", 0)
    markdown = nbformat.v4.new_markdown_cell("My notes. " + " ".join(HTML_PAYLOADS)
                                             + f"\n\n[click me](javascript:{RUN})\n\n$\\sigma(x) = 1 / (1 + e^{{-x}})$")
    markdown.metadata["tags"] = [f'x" onmouseover="{RUN}']
    index = notebook.cells.index(find_cell(notebook, "sigmoid_answer"))
    notebook.cells.insert(index, markdown)
    find_cell(notebook, "saturation_answer").source = "Because exp overflows. " + " ".join(HTML_PAYLOADS)
    answer = find_cell(notebook, "sigmoid_answer")
    answer.outputs = [
        _output({"text/html": " ".join(HTML_PAYLOADS), "text/plain": "html"}),
        _output({"text/html": f"<script>{RUN}</script>"}, {"text/html": {"isolated": True}}),
        _output({"application/javascript": RUN, "text/plain": "js"}),
        _output({"image/svg+xml": f'<svg xmlns="http://www.w3.org/2000/svg" onload="{RUN}"><script>{RUN}</script>'
                                  '</svg>'}),
        _output({"text/markdown": f'<img src="x" onerror="{RUN}"> [md link](javascript:{RUN})'}),
        _output({"application/vnd.jupyter.widget-view+json": {"model_id": "w1", "version_major": 2,
                                                               "version_minor": 0}, "text/plain": "widget"}),
    ]
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {"w1": {"model_name": "HTMLModel", "model_module": "@jupyter-widgets/controls",
                         "model_module_version": "2.0.0",
                         "state": {"value": f'<img src="x" onerror="{RUN}">', "_model_name": "HTMLModel"}}},
        "version_major": 2, "version_minor": 0}}
    notebook.metadata["title"] = f"</title><script>{RUN}</script>"
    return notebook


def feedback_page(notebook, config):
    """The feedback page nbgrader's ``GenerateFeedback`` writes, without its gradebook lookup
    (``GetGrades``; the scores are already in the metadata): the ``feedback`` template, the course's
    ``HTMLExporter`` settings and the feedback preprocessors that follow ``GetGrades``."""
    import nbgrader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor

    from autograder.commands.feedback import StudentFacingFeedback

    config = config.copy()
    config.HTMLExporter.template_name = "feedback"
    templates = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
    config.HTMLExporter.extra_template_basedirs = [str(templates)]
    config.HTMLExporter.extra_template_paths = [
        str(templates.parent / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
    exporter = HTMLExporter(config=config)
    exporter.register_preprocessor(StudentFacingFeedback(), enabled=True)
    exporter.register_preprocessor(CSSHTMLHeaderPreprocessor(), enabled=True)
    resources = {"nbgrader": {"notebook": "fixture", "score": 4.0, "max_score": 4.0, "late_penalty": 0.0},
                 "metadata": {"name": "fixture"}}
    page, _ = exporter.from_notebook_node(nbformat.from_dict(notebook), resources=resources)
    return page


def formgrader_page(notebook_path, config):
    """The page the Formgrader serves for ``notebook_path``, rendered as its ``SubmissionHandler`` does."""
    from nbconvert import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers

    config = config.copy()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    resources = {"assignment_id": "00_fixture", "notebook_id": "fixture", "submission_id": "s", "index": 0,
                 "total": 1, "base_url": "/", "student": "student", "last_name": "", "first_name": "",
                 "notebook_path": str(notebook_path)}
    page, _ = HTMLExporter(config=config).from_filename(str(notebook_path), resources=resources)
    return page
