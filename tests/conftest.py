"""Shared pytest configuration: hypothesis profiles sized for a 2-core CI machine."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config):
    config.addinivalue_line("markers", "hub: a real course on JupyterHub (root, unix users, the proxy): make test-hub")
    config.addinivalue_line("markers", "postgres: the course gradebook on a real PostgreSQL server: make test-postgres")
    config.addinivalue_line("markers", "catalogue: every catalogue entry graded in-process: make test-catalogue")
    config.addinivalue_line("markers",
                            "cluster: grading on a real Dask scheduler and workers on 127.0.0.1: make test-cluster")
