"""Every docstring example (``>>>``) in ``mlp`` runs as a doctest and shows the result it checks.

The modules are found from the files, without importing them, so a module that needs an optional
package (or a display) is skipped with a reason instead of breaking the collection of the others.
"""

import doctest
import importlib
from pathlib import Path

import pytest

import mlp

PACKAGE_DIR = Path(mlp.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES_WITH_EXAMPLES = sorted(module_name(path) for path in PACKAGE_DIR.rglob("*.py")
                               if ">>>" in path.read_text(encoding="utf-8"))


def import_or_skip(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as missing:
        if (missing.name or "").split(".")[0] == "mlp":
            raise
        pytest.skip(f"{name} needs {missing.name}, which is not installed")


def test_some_modules_have_examples():
    assert {"mlp.layers.affine", "mlp.errors", "mlp.metrics"} <= set(MODULES_WITH_EXAMPLES)


@pytest.mark.parametrize("name", MODULES_WITH_EXAMPLES)
def test_docstring_examples_run_and_show_their_results(name):
    module = import_or_skip(name)
    doctests = [test for test in doctest.DocTestFinder(exclude_empty=True).find(module, name) if test.examples]
    assert doctests, f"{name} has '>>>' in its source but no docstring example doctest can find"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for test in doctests:
        assert any(example.want for example in test.examples), (
            f"{test.name}: no example shows an output, so the examples check nothing")
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
