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

:class:`RestoreCellOrder` (after it) puts the instructor's cells back where the source notebook has
them: every test cell, written-answer cell, task cell and locked cell that the student deleted is
added back from the gradebook, and every such cell the student moved is moved back, in the source
notebook's order, each after the nearest cell that precedes it in the source; the student's own
cells (answers and any cells they added) stay in the student's order. A markdown note (the kit's
words) before each cell put back says what happened, and the feedback lists them. nbgrader's
``OverwriteCells.add_missing_cells`` does this only for a cell whose predecessor in the source is a
graded cell still in the submission; with two neighbouring cells missing it stops with
``KeyError: 'conventions_text'`` and the whole notebook scores zero.

The second half of the module makes the student's HTML safe wherever the kit renders a submission
(feedback, the Formgrader, the answer key): :func:`clean_html`, :func:`safe_markdown2html` (the
``markdown2html`` filter of nbconvert's templates) and :class:`SanitizeStudentHTML`.
"""

import re

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.notebooks.cells import (
    cell_of_metadata,
    has_locked_flag,
    is_grade_cell,
    is_locked_cell,
    is_solution_cell,
    is_task_cell,
)
from autograder.notebooks.cells import grade_id as grade_id_of

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
            grade_id = grade_id_of(cell)  # None when the metadata is not a dict
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
            if not is_task_cell(cell_of_metadata(restored)):
                del restored["task"]  # nbgrader's schema leaves the key out of cells that are not tasks
            cell.metadata["nbgrader"] = restored
        return nb, resources


RESTORED_NOTE_START = "**Put back by the grader:**"
RESTORED_NOTE = RESTORED_NOTE_START + " {what} (`{grade_id}`) {how}; it is graded as the original."


def source_order(config, resources):
    """grade_ids of the source notebook's nbgrader cells, in order (None when the source cannot be read)."""
    import nbformat
    from nbgrader.coursedir import CourseDirectory

    info = resources["nbgrader"]
    try:
        coursedir = CourseDirectory(config=config)
        folder = coursedir.format_path(coursedir.source_directory, ".", info["assignment"])
        source = nbformat.read(f"{folder}/{info['notebook']}.ipynb", as_version=4)
    except (OSError, ValueError, KeyError):
        return None
    order = []
    for cell in source.cells:
        if grade_id_of(cell):
            order.append(grade_id_of(cell))
    return order


class RestoreCellOrder(NbGraderPreprocessor):
    """Put deleted or moved instructor cells back in the source order (see the module docstring)."""

    def preprocess(self, nb, resources):
        import nbformat

        info = resources["nbgrader"]
        order = source_order(self.config, resources)
        with Gradebook(info["db_url"]) as gradebook:
            known = instructor_metadata(gradebook, info["notebook"], info["assignment"])
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            sources = {cell.name: (cell.source, cell.checksum) for cell in notebook.source_cells}
        if order is None:  # no source notebook next to the gradebook: nbgrader's add_missing_cells only
            return nb, resources
        order = [grade_id for grade_id in order if grade_id in known]
        fixed = [grade_id for grade_id in order if _is_fixed(known[grade_id][1])]
        present = {}
        for cell in nb.cells:
            grade_id = grade_id_of(cell)
            if grade_id in known:
                present[grade_id] = cell
        fixed_in_submission = [grade_id_of(cell) for cell in nb.cells if grade_id_of(cell) in fixed]
        if fixed_in_submission == fixed:
            return nb, resources  # nothing missing, nothing moved
        kept = [cell for cell in nb.cells if grade_id_of(cell) not in fixed]
        staying = _staying(fixed_in_submission, fixed)
        for grade_id in fixed:
            if grade_id in present:
                cell = present[grade_id]
                how = None if grade_id in staying else "was moved in your submission and is back in its place"
            else:
                cell = _rebuilt_cell(grade_id, known[grade_id], sources[grade_id])
                how = "was missing from your submission"
            position = _insertion_index(kept, order, grade_id)
            if how:
                self.log.warning("cell %s %s", grade_id, how.replace("your submission", "the submission"))
                note = nbformat.v4.new_markdown_cell(RESTORED_NOTE.format(
                    what=_describe(known[grade_id][1]), grade_id=grade_id, how=how))
                kept.insert(position, note)
                position += 1
            kept.insert(position, cell)
        nb.cells = kept
        return nb, resources


def _is_fixed(entry):
    """Cells whose place is the instructor's: tests, written answers, tasks and locked cells
    (``entry``: the gradebook's nbgrader metadata of the cell)."""
    cell = cell_of_metadata(entry)
    return is_grade_cell(cell) or is_task_cell(cell) or is_locked_cell(cell)


def _describe(entry):
    cell = cell_of_metadata(entry)
    if is_grade_cell(cell) and not is_solution_cell(cell):
        return "the test cell"
    if is_grade_cell(cell):
        return "the answer cell"
    if is_task_cell(cell):
        return "the task cell"
    return "the instructor's cell"


def _staying(in_submission, fixed):
    """The fixed cells that keep their place: a longest run of them already in source order (the rest moved)."""
    ranks = [fixed.index(grade_id) for grade_id in in_submission]
    best = []  # best[i]: the longest increasing run ending at i
    for index, rank in enumerate(ranks):
        previous = [best[j] for j in range(index) if ranks[j] < rank]
        best.append(max(previous, key=len, default=[]) + [index])
    longest = max(best, key=len, default=[])
    return {in_submission[index] for index in longest}


def _insertion_index(cells, order, grade_id):
    """Where ``grade_id`` goes in ``cells``: after the nearest cell before it in the source that is there."""
    positions = {grade_id_of(cell): index for index, cell in enumerate(cells) if grade_id_of(cell) is not None}
    for earlier in reversed(order[:order.index(grade_id)]):
        if earlier in positions:
            return positions[earlier] + 1
    return 0


def _rebuilt_cell(grade_id, known_entry, source):
    """A deleted cell made again from the gradebook (its source and metadata are the instructor's)."""
    import nbformat

    cell_type, entry = known_entry
    text, checksum = source
    if cell_type == "code":
        cell = nbformat.v4.new_code_cell(text or "")
    else:
        cell = nbformat.v4.new_markdown_cell(text or "")
    metadata = dict(entry)
    if not is_task_cell(cell_of_metadata(metadata)):
        metadata.pop("task", None)
    if checksum:
        metadata["checksum"] = checksum
    cell.metadata["nbgrader"] = metadata
    if has_locked_flag(cell) or not is_solution_cell(cell):
        cell.metadata["deletable"] = False
        cell.metadata["editable"] = False
    return cell


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


# nbconvert loads these from a CDN; the kit's pages need none of them (see course/nbgrader_config.py)
OFFLINE_LIBRARIES = {
    "require_js_url": "data:text/javascript,",
    "jquery_url": "data:text/javascript,",
    "mermaid_js_url": "data:text/javascript,export default {initialize() {}, render: async () => ({svg: ''})};",
    "mermaid_layout_elk_js_url": "",
}


def sanitized_html_exporter(**options):
    """An nbconvert ``HTMLExporter`` that renders student content only through the allowlist, with the
    kit's templates first (maths typeset by KaTeX inside the page: :mod:`autograder.pages.maths`)."""
    from nbconvert import HTMLExporter

    from autograder.pages.maths import offline_maths, template_basedirs

    options.setdefault("extra_template_basedirs", template_basedirs())
    for library, empty in OFFLINE_LIBRARIES.items():  # from a CDN by default; nothing in the page uses them
        options.setdefault(library, empty)
    exporter = HTMLExporter(filters={"markdown2html": safe_markdown2html, "offline_maths": offline_maths}, **options)
    exporter.register_preprocessor(SanitizeStudentHTML(), enabled=True)
    return exporter
