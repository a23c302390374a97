"""Fixed train/valid/test splits shared by the built-in data sets."""

from __future__ import annotations

import numpy as np

WHICH_SETS = ("train", "valid", "test")


def check_which_set(owner: str, which_set) -> str:
    """Return ``which_set`` if it is ``'train'``, ``'valid'`` or ``'test'``, else raise."""
    if which_set not in WHICH_SETS:
        raise ValueError(f"{owner}: expected which_set to be one of {WHICH_SETS}, got {which_set!r}")
    return which_set


def stratified_split(labels: np.ndarray, fractions=(0.6, 0.2, 0.2), seed: int = 0) -> dict:
    """Split example indices into train/valid/test so that each class keeps its proportions.

    Within each class the indices are permuted with ``numpy.random.default_rng(seed)``;
    the first ``round(fractions[1] * n_class)`` go to valid, the next
    ``round(fractions[2] * n_class)`` to test and the rest to train. Each split's indices
    are returned sorted.

    Returns:
        ``{'train': indices, 'valid': indices, 'test': indices}``.
    """
    rng = np.random.default_rng(seed)
    parts = {name: [] for name in WHICH_SETS}
    for label in np.unique(labels):
        indices = rng.permutation(np.flatnonzero(labels == label))
        num_valid = int(round(fractions[1] * indices.size))
        num_test = int(round(fractions[2] * indices.size))
        parts["valid"].append(indices[:num_valid])
        parts["test"].append(indices[num_valid:num_valid + num_test])
        parts["train"].append(indices[num_valid + num_test:])
    return {name: np.sort(np.concatenate(chunks)) for name, chunks in parts.items()}


def sequential_split(num_examples: int, fractions=(0.6, 0.2, 0.2)) -> dict:
    """Split ``range(num_examples)`` into consecutive train/valid/test blocks.

    For data generated in random order (moons, slashes): train is the first
    ``round(fractions[0] * num_examples)`` examples, valid the next
    ``round(fractions[1] * num_examples)``, test the rest.
    """
    num_train = int(round(fractions[0] * num_examples))
    num_valid = int(round(fractions[1] * num_examples))
    indices = np.arange(num_examples)
    return {
        "train": indices[:num_train],
        "valid": indices[num_train:num_train + num_valid],
        "test": indices[num_train + num_valid:],
    }
