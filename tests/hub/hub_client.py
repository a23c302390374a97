"""Talking to a running hub over HTTP as a user: log in with the unix password, get a token, start a server."""

import time

import requests


def log_in(url, name, password):
    """A requests session logged in to the hub as ``name`` (the login form, as a browser sends it)."""
    session = requests.Session()
    session.get(f"{url}/hub/login", timeout=30)
    response = session.post(f"{url}/hub/login", allow_redirects=False, timeout=60,
                            data={"username": name, "password": password, "_xsrf": session.cookies.get("_xsrf")})
    assert response.status_code == 302, f"login of {name} failed: {response.status_code} {response.text[:300]}"
    return session


def token_of(url, name, password):
    """An API token of ``name``, asked for with their own login (what a student can do)."""
    session = log_in(url, name, password)
    response = session.post(f"{url}/hub/api/users/{name}/tokens", json={"note": "test"}, timeout=30,
                            headers={"X-XSRFToken": session.cookies.get("_xsrf")})
    assert response.status_code == 201, response.text
    return response.json()["token"]


def start_server(url, name, token, timeout=240):
    """Start ``name``'s single-user server and wait until it is ready; the seconds it took."""
    headers = {"Authorization": f"token {token}"}
    started = time.monotonic()
    response = requests.post(f"{url}/hub/api/users/{name}/server", headers=headers, timeout=60)
    assert response.status_code in (201, 202, 400), response.text  # 400: already running
    while time.monotonic() - started < timeout:
        model = requests.get(f"{url}/hub/api/users/{name}", headers=headers, timeout=30).json()
        if model.get("servers", {}).get("", {}).get("ready"):
            return time.monotonic() - started
        time.sleep(1)
    raise AssertionError(f"the server of {name} was not ready after {timeout} s")


def get(url, path, token):
    return requests.get(f"{url}{path}", headers={"Authorization": f"token {token}"}, allow_redirects=False,
                        timeout=60)
