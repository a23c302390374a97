"""pytest settings for running the lessons with nbval (``pytest --nbval-lax source_notebooks/``).

nbval turns every cell of a notebook into a test item, and all items of one notebook share one
kernel, in order. Under ``pytest -n 2 --dist loadgroup`` items without a group may be spread over
workers, which would split a notebook across kernels; so every nbval item is put in an
``xdist_group`` named after its notebook, which keeps a notebook's cells together on one worker.

pytest-xdist (3.8) applies a group by appending ``@<group>`` to the item's ``_nodeid``. pytest 9.2
keeps node ids in ``_id`` instead, so that assignment no longer reaches the scheduler and every
cell would be scheduled on its own. ``pytest_collection_modifyitems_after_xdist`` below copies
xdist's renamed id to where this pytest keeps it (and does nothing where xdist's rename works).
"""

from __future__ import annotations

from pathlib import Path

import pytest


def _is_nbval_item(item) -> bool:
    return type(item).__name__ == "IPyNbCell" and type(item).__module__.startswith("nbval")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marker
def pytest_collection_modifyitems(config, items):
    """Put every nbval cell in an xdist group named after its notebook."""
    root = Path(str(config.rootpath))
    for item in items:
        if not _is_nbval_item(item):
            continue
        notebook = Path(str(item.path))
        try:
            name = notebook.relative_to(root).as_posix()
        except ValueError:
            name = notebook.as_posix()
        item.add_marker(pytest.mark.xdist_group(name=name))


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def pytest_collection_modifyitems_after_xdist(config, items):
    """After xdist's hook (and before it reports the collection): copy its ``@<group>`` rename to
    where this pytest keeps node ids, when it ignores ``_nodeid``."""
    for item in items:
        renamed = vars(item).get("_nodeid")
        if _is_nbval_item(item) and isinstance(renamed, str) and renamed != item.nodeid:
            from _pytest.nodeid import coerce_node_id

            item._id = coerce_node_id(renamed)
