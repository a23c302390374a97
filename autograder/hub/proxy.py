"""JupyterHub's proxy, ``configurable-http-proxy``, installed from npm into ``proxy/node_modules``.

The version is pinned by ``proxy/package-lock.json``; ``npm ci --prefix autograder/hub/proxy``
installs exactly it (``.ci/run`` and ``make hub`` do), never globally.
"""

import shutil
from pathlib import Path

PROXY_FOLDER = Path(__file__).resolve().parent / "proxy"
PROXY_PROGRAM = PROXY_FOLDER / "node_modules" / ".bin" / "configurable-http-proxy"
INSTALL = "npm ci --prefix autograder/hub/proxy"


def check_proxy(program=PROXY_PROGRAM):
    """Problems that keep the proxy from starting (the program, then node)."""
    if not Path(program).is_file():
        return [f"JupyterHub's proxy is not installed ({program} is missing): run `{INSTALL}` "
                "(needs npm: apt-get install npm)"]
    if shutil.which("node") is None:
        return ["the proxy needs Node.js (`node` is not on PATH): apt-get install nodejs"]
    return []
