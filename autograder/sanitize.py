"""What of a submission the kit trusts: nbgrader cell metadata put back, student HTML made safe.

nbgrader's ``OverwriteCells`` restores a graded cell's source, points, cell type and lock from
the gradebook, but not whether it is a test or a solution cell: a student who marks a test cell
``solution: true`` turns it into a manually graded answer (or makes nbgrader stop with
"Inconsistent checksums"), and a cell with an invented ``grade_id`` and ``points`` fails nbgrader's
metadata validation. :class:`RestoreCellMetadata` (a sanitize preprocessor, before
``OverwriteCells``) makes the gradebook the only authority:

- a cell whose ``grade_id`` the gradebook knows gets the instructor's ``grade``, ``solution``,
  ``locked``, ``task`` and ``points`` back (the last cell wins when the id occurs more than once,
  as in nbgrader's ``DeduplicateIds``; the earlier copies become plain cells);
- a cell whose ``grade_id`` is unknown, or that carries nbgrader metadata without an id, becomes
  a plain cell: it still runs, but it is worth nothing.

The second half of the module makes the student's HTML safe wherever the kit renders a submission
(feedback, the Formgrader, the answer key): :func:`clean_html`, :func:`safe_markdown2html` (the
``markdown2html`` filter of nbconvert's templates) and :class:`SanitizeStudentHTML`.
"""

import re

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

SCHEMA_VERSION = 3


def instructor_metadata(gradebook, notebook_id, assignment_id):
    """``{grade_id: nbgrader metadata}`` of every cell the gradebook knows for one notebook."""
    notebook = gradebook.find_notebook(notebook_id, assignment_id)
    grades = {cell.name: cell for cell in notebook.grade_cells}
    tasks = {cell.name: cell for cell in notebook.task_cells}
    solutions = {cell.name for cell in notebook.solution_cells}
    metadata = {}
    for source in notebook.source_cells:
        entry = {"schema_version": SCHEMA_VERSION, "grade_id": source.name, "locked": bool(source.locked),
                 "solution": source.name in solutions, "grade": source.name in grades, "task": source.name in tasks}
        graded = grades.get(source.name) or tasks.get(source.name)
        if graded is not None:
            entry["points"] = float(graded.max_score)
        metadata[source.name] = (source.cell_type, entry)
    return metadata


class RestoreCellMetadata(NbGraderPreprocessor):
    """Reset every cell's nbgrader metadata to the gradebook's (see the module docstring)."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            known = instructor_metadata(gradebook, info["notebook"], info["assignment"])
        seen = set()
        for cell in reversed(nb.cells):
            metadata = cell.metadata.get("nbgrader")
            if metadata is None:
                continue
            grade_id = metadata.get("grade_id") if isinstance(metadata, dict) else None
            if grade_id not in known or grade_id in seen:
                if grade_id in seen:
                    self.log.warning("cell %s occurs more than once; only the last one is graded", grade_id)
                elif grade_id is not None:
                    self.log.warning("cell %s is not in the gradebook; it is graded as a plain cell", grade_id)
                del cell.metadata["nbgrader"]
                continue
            seen.add(grade_id)
            _, entry = known[grade_id]
            restored = {key: value for key, value in metadata.items() if key in ("checksum", "cell_type")}
            restored.update(entry)
            if not restored["task"]:
                del restored["task"]
            cell.metadata["nbgrader"] = restored
        return nb, resources


# --- HTML from student cells -----------------------------------------------------------------------
#
# Markdown cells, ``text/html`` / ``text/markdown`` / SVG / JavaScript outputs and widget state of a
# submission are the student's, and nbconvert renders them as they are (its templates, the
# Formgrader's and nbgrader's feedback template included, paste them into the page unescaped). In
# the Formgrader that page is served from the instructor's Jupyter origin, so a ``<script>`` or an
# ``<img onerror>`` there runs with the instructor's session. Everything below renders student HTML
# through one allowlist (bleach): no scripts, no event handlers, no ``javascript:`` or ``data:``
# links, no styles, no frames, no SVG; images only from ``http(s)`` or as PNG/JPEG/GIF data.

SAFE_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "div", "dl",
    "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre",
    "q", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul", "var",
})
SAFE_PROTOCOLS = ("http", "https", "mailto", "data")  # data: is narrowed to raster images below
SAFE_OUTPUT_TYPES = frozenset({"text/plain", "text/latex", "image/png", "image/jpeg", "image/gif",
                               "application/json"})
_SAFE_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$", re.IGNORECASE)
_SAFE_TAG_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _allowed_attribute(tag, name, value):
    """bleach attribute filter: which attribute of which tag survives (see the section comment)."""
    if name == "class":
        return True
    if name == "id":
        return tag in ("h1", "h2", "h3", "h4", "h5", "h6")  # the anchors of markdown headings
    if tag == "a":
        if name == "href":
            return not value.strip().lower().startswith("data:")
        return name == "title"
    if tag == "img":
        if name == "src":
            return not value.strip().lower().startswith("data:") or bool(_SAFE_IMAGE_DATA.match(value.strip()))
        return name in ("alt", "title", "width", "height")
    if tag in ("td", "th"):
        return name in ("colspan", "rowspan", "align")
    return tag in ("ol",) and name == "start"


def clean_html(text):
    """``text`` (HTML written by a student) reduced to :data:`SAFE_TAGS` and safe attributes.

    Tags outside the allowlist are shown as text (escaped), never interpreted; ``<script>``,
    ``<style>`` and ``<svg>`` elements are escaped with their content, so nothing in them runs.
    """
    import bleach

    if isinstance(text, list):  # nbformat allows multi-line strings as lists
        text = "".join(text)
    return bleach.clean(str(text), tags=SAFE_TAGS, attributes=_allowed_attribute, protocols=SAFE_PROTOCOLS,
                        strip=False, strip_comments=True)


def markdown_to_safe_html(source, attachments=None):
    """Markdown as nbconvert renders it (maths kept for MathJax, attachments inlined), then :func:`clean_html`."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    renderer = IPythonRenderer(escape=False, attachments=attachments or {}, embed_images=False, path="",
                               anchor_link_text="¶")
    return clean_html(MarkdownWithMath(renderer=renderer).render(source))


def _pass_context(function):
    import jinja2

    return jinja2.pass_context(function)


@_pass_context
def safe_markdown2html(context, source):
    """The ``markdown2html`` filter of nbconvert's templates, sanitised (``HTMLExporter.filters``)."""
    cell = context.get("cell", {}) or {}
    return markdown_to_safe_html(source, attachments=cell.get("attachments", {}))


def sanitize_outputs(outputs):
    """Code cell outputs with every HTML-bearing part made safe (in place; returns ``outputs``).

    ``text/html`` is cleaned, ``text/markdown`` becomes cleaned ``text/html``, and every other
    MIME type but :data:`SAFE_OUTPUT_TYPES` (JavaScript, SVG, widget views, ...) is removed; output
    metadata (``isolated`` iframes and such) is dropped. Streams and errors are plain text.
    """
    for output in outputs:
        if output.get("output_type") not in ("display_data", "execute_result", "update_display_data"):
            continue
        data = output.get("data", {}) or {}
        cleaned = {}
        for mime, value in data.items():
            if mime in SAFE_OUTPUT_TYPES:
                cleaned[mime] = value
            elif mime == "text/html":
                cleaned[mime] = clean_html(value)
            elif mime == "text/markdown" and "text/html" not in data:
                cleaned["text/html"] = markdown_to_safe_html("".join(value) if isinstance(value, list) else value)
        if not cleaned:
            cleaned["text/plain"] = "[output not shown: {}]".format(", ".join(sorted(data)) or "empty")
        output["data"] = cleaned
        output["metadata"] = {}
    return outputs


def sanitize_notebook(nb):
    """Make every student-controlled part of ``nb`` that a template renders as HTML safe (in place).

    Markdown cells keep their source (the :func:`safe_markdown2html` filter renders them) but raw
    cells are cleaned here, code outputs by :func:`sanitize_outputs`; cell tags and ids that are not
    plain words are dropped, and so are the notebook's widget state (its HTML widgets would be
    rendered by JavaScript) and its ``title``.
    """
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags")
        if tags is not None:
            cell.metadata["tags"] = [tag for tag in tags if isinstance(tag, str) and _SAFE_TAG_NAME.match(tag)]
        if "id" in cell and not (isinstance(cell.id, str) and _SAFE_TAG_NAME.match(cell.id)):
            del cell["id"]
        if cell.get("cell_type") == "raw":
            cell.source = clean_html(cell.source)
        elif cell.get("cell_type") == "code":
            sanitize_outputs(cell.get("outputs", []))
    for key in ("widgets", "title"):
        nb.metadata.pop(key, None)
    return nb


class SanitizeStudentHTML(NbGraderPreprocessor):
    """:func:`sanitize_notebook` as a preprocessor (``HTMLExporter.preprocessors`` in the course config,
    which the Formgrader and ``generate_feedback`` read; the answer key uses it too)."""

    enabled = True

    def preprocess(self, nb, resources):
        return sanitize_notebook(nb), resources


def sanitized_html_exporter(**options):
    """An nbconvert ``HTMLExporter`` that renders student content only through the allowlist."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(filters={"markdown2html": safe_markdown2html}, **options)
    exporter.register_preprocessor(SanitizeStudentHTML(), enabled=True)
    return exporter
