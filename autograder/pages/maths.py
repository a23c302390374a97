"""Maths without network in every page the kit renders: KaTeX inlined into the page.

nbconvert's and nbgrader's templates load MathJax from a CDN (``mathjax.html.j2``), so feedback
opened offline, the answer key and the Formgrader show raw LaTeX without network -- and a script
from another host runs on the instructor's Jupyter origin. The kit replaces that macro
(``autograder/pages/templates/base/mathjax.html.j2``, found first through
``HTMLExporter.extra_template_basedirs``) by :func:`offline_maths_head`: KaTeX's stylesheet (its
fonts inlined as ``data:`` URIs), KaTeX and its auto-render extension, all inside the page, so a
page needs no other file and makes no request.

KaTeX comes from npm (MIT licence), pinned in ``autograder/pages/static/package-lock.json`` and installed
by ``npm ci --prefix autograder/pages/static``. Without it pages render maths as plain LaTeX (and say so
in an HTML comment); they never fall back to a CDN.

KaTeX runs with ``trust: false`` (no ``\\href``/``\\url``/``\\includegraphics``/HTML extensions
from student maths), ``throwOnError: false``, and skips ``pre``/``code``/``textarea`` and anything
inside ``class="no-maths"`` (the kit's results table, where a message may hold a ``$``).
"""

import base64
import functools
import json
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
KATEX_DIST = PACKAGE / "static" / "node_modules" / "katex" / "dist"
INSTALL_HINT = "npm ci --prefix autograder/pages/static"

KATEX_OPTIONS = {
    "delimiters": [
        {"left": "$$", "right": "$$", "display": True},
        {"left": "\\[", "right": "\\]", "display": True},
        {"left": "\\(", "right": "\\)", "display": False},
        {"left": "$", "right": "$", "display": False},
    ],
    "throwOnError": False,
    "trust": False,
    "strict": "ignore",
    "maxExpand": 1000,
    "maxSize": 20,
    "ignoredTags": ["script", "noscript", "style", "textarea", "pre", "code", "option"],
    "ignoredClasses": ["no-maths"],
}

# The kit's own styles: the "Test results" table of the feedback (nbgrader's feedback template has no
# table style, so its cells ran together) and the notes the kit adds to a page.
PAGE_STYLE = """
table.test-results { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 14px; }
table.test-results th, table.test-results td { border: 1px solid #b9b9b9; padding: 0.35em 0.8em;
  text-align: left; vertical-align: top; }
table.test-results thead th { background: #eeeeee; font-weight: bold; }
table.test-results td.result-failed { color: #a40000; font-weight: bold; }
table.test-results td.result-passed { color: #1d6b1d; }
table.test-results td.points { white-space: nowrap; text-align: right; }
.rendered_html table:not(.test-results) { border-collapse: collapse; }
.rendered_html table:not(.test-results) th, .rendered_html table:not(.test-results) td {
  border: 1px solid #cfcfcf; padding: 0.25em 0.6em; }
span.awaiting-grading { color: #8a5a00; font-weight: bold; }
.panel-heading span.awaiting-grading { color: #ffe08a; }
"""


def katex_available():
    return (KATEX_DIST / "katex.min.js").is_file() and (KATEX_DIST / "contrib" / "auto-render.min.js").is_file()


def _inline_fonts(css):
    """KaTeX's CSS with each ``@font-face`` reduced to its woff2 file, inlined as a data: URI."""
    def replace(match):
        font = KATEX_DIST / match.group(1)
        data = base64.b64encode(font.read_bytes()).decode("ascii")
        return f'src:url(data:font/woff2;base64,{data}) format("woff2")'

    return re.sub(r'src:url\((fonts/[A-Za-z0-9_-]+\.woff2)\) format\("woff2"\)(?:,url\([^)]*\) format\("[a-z]+"\))*',
                  replace, css)


def _script(text):
    # a script element ends at the first "</script": KaTeX's code has none, but never rely on it
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


@functools.lru_cache(maxsize=1)
def offline_maths_head():
    """What goes into a page's ``<head>`` instead of nbconvert's MathJax: the kit's styles and KaTeX."""
    style = f"<style>{PAGE_STYLE}</style>"
    if not katex_available():
        return (style + f"\n<!-- maths are shown as LaTeX: KaTeX is not installed ({INSTALL_HINT}) -->")
    css = _inline_fonts((KATEX_DIST / "katex.min.css").read_text())
    start = ("document.addEventListener('DOMContentLoaded', function () { renderMathInElement(document.body, "
             + json.dumps(KATEX_OPTIONS) + "); });")
    return "\n".join([
        style,
        "<!-- KaTeX (MIT licence, https://katex.org), inlined by the course kit so maths render offline -->",
        f"<style>{css}</style>",
        _script((KATEX_DIST / "katex.min.js").read_text()),
        _script((KATEX_DIST / "contrib" / "auto-render.min.js").read_text()),
        _script(start),
    ])


def offline_maths(_=None):
    """The ``offline_maths`` Jinja filter of ``HTMLExporter.filters`` (used by the kit's ``mathjax`` macro)."""
    return offline_maths_head()


def template_basedirs():
    """``HTMLExporter.extra_template_basedirs`` for the course: the kit's templates first, then nbgrader's
    (the Formgrader's ``formgrade`` and the ``feedback`` templates live there)."""
    import importlib.util

    nbgrader = Path(importlib.util.find_spec("nbgrader").submodule_search_locations[0])
    return [str(TEMPLATES), str(nbgrader / "server_extensions" / "formgrader" / "templates")]
