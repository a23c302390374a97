"""The synthetic class of ``python -m benchmarks.class_scale`` (its timing runs are the benchmark's, not a test's)."""

from collections import Counter

import pytest

from benchmarks.class_scale import MIX, format_table, kinds_of_class


@pytest.mark.parametrize("size", [40, 300, 1000])
def test_the_class_has_every_kind_in_its_share(size):
    kinds = kinds_of_class(size)
    counts = Counter(kinds)
    assert len(kinds) == size
    assert set(counts) == {name for name, _ in MIX}
    for name, share in MIX:
        assert abs(counts[name] - share * size) <= max(1, 0.01 * size), (name, counts[name], share * size)


@pytest.mark.parametrize("size", [6, 7])
def test_a_tiny_class_still_has_one_student_of_each_kind(size):
    kinds = kinds_of_class(size)
    assert len(kinds) == size
    assert set(kinds) == {name for name, _ in MIX}


def test_the_first_six_students_are_one_of_each_kind():
    assert sorted(kinds_of_class(300)[:6]) == sorted(name for name, _ in MIX)


def test_the_table_extrapolates_from_the_measured_rate():
    # 60 submissions in 120 s on 2 workers: 15 per minute per core; 1,000 students x 5 lessons = 5,000
    # submissions take 5000 / (15 * 16) = 20.8 min on 16 cores and 5.2 min on 64.
    table = format_table(120.0, 240.0, 60, 60, 60.0, 2, 5)
    local_row = next(line for line in table.splitlines() if line.startswith("| local pool"))
    assert local_row == "| local pool | 120 s | 15.0 | 3.00 s | 21 min | 5 min |"
    dask_row = next(line for line in table.splitlines() if line.startswith("| Dask"))
    assert dask_row == "| Dask LocalCluster | 240 s | 7.5 | 7.00 s | 42 min | 10 min |"
