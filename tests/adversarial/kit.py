"""What the hostile cases of ``cases_*.py`` are made from and checked against.

- :class:`Kit`: the notebooks a case starts from -- the fixture's source and release, and those of
  ``01_pair``, a two-notebook assignment built next to the fixture (``a_first.ipynb`` is the
  fixture; ``b_second.ipynb`` is the fixture whose ``test_mse`` compares with ``mlp.errors``, a
  module the kernel guard has not imported when it takes its snapshot) -- plus a per-run token
  (names the files an escape would leave behind) and the port of a listener on this machine.
- :class:`Listener`: a TCP and a UDP socket on every interface of this machine that record what
  a kernel sends them.
- :class:`Outcome`: what a case left behind after the graded run (outputs, feedback, logs,
  grades.csv), with the checks the cases share.
"""

import base64
import html.parser
import re
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.notebooks.cells import find_cell, replace_cell_source

PAIR = "01_pair"
PAIR_NOTEBOOKS = ("a_first.ipynb", "b_second.ipynb")
PAIR_MAX = 6.0
PAIR_TEST_MSE = '''
from mlp.errors import SumOfSquaredDiffsError  # the reference, imported only when this test runs

assert mean_squared_error(np.zeros((2, 3)), np.zeros((2, 3))) == 0.0, "identical arrays have zero error"
### BEGIN HIDDEN TESTS
hidden_canary_outputs, hidden_canary_targets = np.array([[1.0, 2.0]]), np.zeros((1, 2))
hidden_canary_reference = SumOfSquaredDiffsError()(hidden_canary_outputs, hidden_canary_targets)
assert np.isclose(mean_squared_error(hidden_canary_outputs, hidden_canary_targets), hidden_canary_reference), \\
    "mean_squared_error does not match the reference (half the squared distance per row, averaged, times 2/D)"
### END HIDDEN TESTS
'''.strip("\n")


def write_pair_sources(fixture_notebook, folder):
    """Write the ``01_pair`` source notebooks into ``folder`` (see the module docstring)."""
    folder.mkdir(parents=True, exist_ok=True)
    fixture = nbformat.read(str(fixture_notebook), as_version=4)
    nbformat.write(fixture, str(folder / PAIR_NOTEBOOKS[0]))
    # for one row of D = 2 entries, mean squared error = 2 / D * half the squared distance = the reference
    second = replace_cell_source(fixture, "test_mse", PAIR_TEST_MSE)
    nbformat.write(second, str(folder / PAIR_NOTEBOOKS[1]))


@dataclass
class Kit:
    source: object
    release: object
    pair_source: dict
    pair_release: dict
    token: str
    listener_port: int

    def marker(self, case_name):
        """The name of a file an escaped submission leaves behind (searched for after grading)."""
        return f"ESCAPED-{self.token}-{case_name}"


class Listener:
    """A TCP and a UDP socket on all interfaces of this machine, recording what arrives."""

    def __init__(self):
        self.received = []
        self._lock = threading.Lock()
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("0.0.0.0", 0))
        self.port = self.tcp.getsockname()[1]
        self.tcp.listen(64)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("0.0.0.0", self.port))
        self._closed = False
        for target in (self._accept, self._datagrams):
            threading.Thread(target=target, daemon=True).start()

    def __repr__(self):
        return f"Listener(port={self.port}, received={len(self.received)})"

    def _record(self, data):
        with self._lock:
            self.received.append(data)

    def _accept(self):
        while not self._closed:
            try:
                connection, _ = self.tcp.accept()
            except OSError:
                return
            threading.Thread(target=self._read, args=(connection,), daemon=True).start()

    def _read(self, connection):
        chunks = []
        connection.settimeout(10)
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError:
            pass
        finally:
            connection.close()
        self._record(b"".join(chunks))

    def _datagrams(self):
        while not self._closed:
            try:
                data, _ = self.udp.recvfrom(65536)
            except OSError:
                return
            self._record(data)

    def text(self):
        with self._lock:
            return b"\n".join(self.received).decode("utf-8", "replace")

    def close(self):
        self._closed = True
        for sock in (self.tcp, self.udp):
            try:
                sock.close()
            except OSError:
                pass


@dataclass
class Outcome:
    """What one case left after the graded run; ``graded`` is the test module's fixture dict."""

    case: object
    graded: dict
    notes: list = field(default_factory=list)

    @property
    def course(self):
        return self.graded["mixed"]

    @property
    def student(self):
        return self.case.name

    @property
    def result(self):
        return self.graded["results"][self.case.name]

    def notebook_names(self):
        return list(PAIR_NOTEBOOKS) if self.case.assignment == PAIR else ["fixture.ipynb"]

    def autograded(self, name=None):
        return self.course.autograded_dir(self.student, self.case.assignment) / (name or self.notebook_names()[0])

    def outputs_text(self, name=None):
        """Every text output of the autograded notebook (instructor-only copy), joined."""
        path = self.autograded(name)
        if not path.is_file():
            return ""
        notebook = nbformat.read(str(path), as_version=4)
        chunks = []
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                chunks.append(str(output.get("text", "")) + " " + str(output.get("evalue", "")))
                chunks.append(str(output.get("data", {}).get("text/plain", "")))
        return "\n".join(chunks)

    def feedback_pages(self):
        folder = self.course.feedback_dir(self.student, self.case.assignment)
        return sorted(folder.glob("*.html")) if folder.is_dir() else []

    def feedback_html(self):
        return "\n".join(page.read_text() for page in self.feedback_pages())

    def log_text(self):
        path = self.course.log_file(self.case.assignment, self.student)
        return path.read_text() if path.is_file() else ""

    def grades_csv(self):
        path = self.course.grades_csv
        return path.read_text() if path.is_file() else ""


def reported_number(text, key):
    """The integer printed as ``key=N`` in ``text`` (the last one), or None."""
    found = re.findall(re.escape(key) + r"=(-?\d+)", text)
    return int(found[-1]) if found else None


class _ExecutableParts(html.parser.HTMLParser):
    """Collects the parts of a page a browser would run: scripts, event handlers, javascript: URLs."""

    URL_ATTRIBUTES = ("href", "src", "xlink:href", "action", "formaction", "data", "srcdoc")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in_script = True
            self.parts.extend(value or "" for name, value in attrs if name == "src")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.parts.append(value)
            elif name in self.URL_ATTRIBUTES:
                plain = re.sub(r"[\x00-\x20]", "", value).lower()
                if plain.startswith(("javascript:", "vbscript:", "data:text/html", "data:image/svg")):
                    self.parts.append(value)
                    if plain.startswith("data:") and ";base64," in plain:
                        try:
                            self.parts.append(base64.b64decode(value.split(",", 1)[1]).decode("utf-8", "replace"))
                        except ValueError:
                            pass
            elif tag in ("iframe", "object", "embed") and name == "src":
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.parts.append(data)


def executable_parts(page):
    """The text of every part of the HTML ``page`` that a browser would execute."""
    parser = _ExecutableParts()
    parser.feed(page)
    parser.close()
    return parser.parts


def formgrader_html(course, student, assignment, notebook_name):
    """The page nbgrader's Formgrader serves for an autograded notebook, rendered as its handler does
    (``HTMLExporter`` with the course configuration and the ``formgrade`` template)."""
    from nbconvert import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers

    from autograder.course.directory import load_config

    config = load_config(course)
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    exporter = HTMLExporter(config=config)
    path = Path(course.autograded_dir(student, assignment)) / notebook_name
    resources = {"assignment_id": assignment, "notebook_id": Path(notebook_name).stem, "submission_id": "x",
                 "index": 0, "total": 1, "base_url": "/", "student": student, "last_name": "", "first_name": "",
                 "notebook_path": str(path)}
    page, _ = exporter.from_filename(str(path), resources=resources)
    return page


def stub_filler_code():
    """Python source that, run in a kernel before the guard's snapshot, makes the release's stubs
    correct by rewriting every cell before it runs (an IPython input transformer)."""
    return r'''
def _autograder_fill_stubs(lines):
    text = "".join(lines)
    answers = {
        "sigmoid": "return 1.0 / (1.0 + __import__('numpy').exp(-__import__('numpy').asarray(x, dtype=float)))",
        "mean_squared_error": "return float(__import__('numpy').mean((__import__('numpy').asarray(outputs) - "
                              "__import__('numpy').asarray(targets)) ** 2))",
    }
    for name, body in answers.items():
        if "def " + name in text and "raise NotImplementedError()" in text:
            text = text.replace("raise NotImplementedError()", body)
    return text.splitlines(True)


def _autograder_install_filler():
    try:
        from IPython import get_ipython
        shell = get_ipython()
        if shell is not None and _autograder_fill_stubs not in shell.input_transformers_cleanup:
            shell.input_transformers_cleanup.append(_autograder_fill_stubs)
    except Exception:
        pass


_autograder_install_filler()
'''


def one_line(code):
    """``code`` as one line of Python (for ``exec_lines`` and kernel arguments)."""
    return f"exec(bytes.fromhex({code.encode().hex()!r}).decode())"


def with_cell_after(notebook, cell_id, code, kind="code"):
    """A copy of ``notebook`` with a new cell holding ``code`` right after cell ``cell_id``."""
    notebook = nbformat.from_dict(nbformat.from_dict(notebook))
    index = notebook.cells.index(find_cell(notebook, cell_id))
    maker = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    notebook.cells.insert(index + 1, maker(code.strip("\n")))
    return notebook
