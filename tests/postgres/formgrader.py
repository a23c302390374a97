"""The instructor's Jupyter server with nbgrader's Formgrader, started on a course, and its REST API.

The requests are the ones the Formgrader page sends when the instructor types a manual score:
``GET /formgrader/api/submitted_notebooks/<assignment>/<notebook>``, ``GET /formgrader/api/grades``
and ``PUT /formgrader/api/grade/<id>`` with ``{"manual_score": ..., "extra_credit": ...}``.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

from .server import free_port


class Formgrader:
    def __init__(self, course, folder):
        self.course, self.port, self.token = course, free_port(), uuid.uuid4().hex
        environment = dict(os.environ, JUPYTER_CONFIG_DIR=str(folder / "config"),
                           JUPYTER_RUNTIME_DIR=str(folder / "runtime"), JUPYTER_DATA_DIR=str(folder / "data"))
        environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment.get("PATH", "")
        self.log = open(folder / "jupyter-server.log", "w")  # noqa: SIM115 -- closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", "--ip=127.0.0.1",
             f"--port={self.port}", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={course.root}"],
            cwd=course.root, env=environment, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter server exited with {self.process.returncode}")
            try:
                self.request("GET", "/formgrader/api/status")
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise TimeoutError("the Formgrader did not answer within {seconds} s")

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def grade_ids(self, assignment, notebook):
        """``{(student, cell name): grade id}`` as the Formgrader lists them."""
        ids = {}
        for submitted in self.request("GET", f"/formgrader/api/submitted_notebooks/{assignment}/{notebook}"):
            for grade in self.request("GET", f"/formgrader/api/grades?submission_id={submitted['id']}"):
                ids[(submitted["student"], grade["name"])] = grade["id"]
        return ids

    def set_manual_score(self, grade_id, score):
        return self.request("PUT", f"/formgrader/api/grade/{grade_id}", {"manual_score": score, "extra_credit": None})

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
