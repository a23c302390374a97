"""The reference models of the kit and how they are trained on the digits data.

Used by ``python -m mlp.demo`` and by the reference-accuracy tests, so both always agree:

- :func:`build_mlp`: affine(64, 100) - ReLU - affine(100, 100) - ReLU - affine(100, 10);
- :func:`build_cnn`: convolution (1 -> 16 channels, 5x5, padding 2) - ReLU - 2x2 max pooling -
  flatten - affine(256, 10).

Both end in class scores (logits) trained with :class:`~mlp.errors.CrossEntropySoftmaxError`
and Adam. Every random choice (initial weights, batch order) follows from one ``seed``.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

import numpy as np

from mlp.data_providers import DigitsDataProvider
from mlp.errors import CrossEntropySoftmaxError
from mlp.initialisers import ConstantInit, GlorotUniformInit
from mlp.layers import AffineLayer, ConvolutionalLayer, MaxPoolingLayer, ReluLayer, ReshapeLayer
from mlp.learning_rules import AdamLearningRule
from mlp.metrics import accuracy
from mlp.models import MultipleLayerModel
from mlp.optimisers import Optimiser


@dataclass(frozen=True)
class TrainingRecipe:
    """How a reference model is trained: epochs, batch size and Adam's learning rate."""

    num_epochs: int
    batch_size: int
    learning_rate: float
    flatten: bool


RECIPES = {
    "mlp": TrainingRecipe(num_epochs=30, batch_size=50, learning_rate=2e-3, flatten=True),
    "cnn": TrainingRecipe(num_epochs=30, batch_size=50, learning_rate=3e-3, flatten=False),
}


def build_mlp(seed: int = 0, input_dim: int = 64, hidden_dim: int = 100,
              num_classes: int = 10) -> MultipleLayerModel:
    """Two hidden ReLU layers of ``hidden_dim`` units; Glorot-uniform weights, zero biases."""
    rng = np.random.default_rng(seed)
    return MultipleLayerModel([
        AffineLayer(input_dim, hidden_dim, GlorotUniformInit(rng=rng), ConstantInit(0.0)),
        ReluLayer(),
        AffineLayer(hidden_dim, hidden_dim, GlorotUniformInit(rng=rng), ConstantInit(0.0)),
        ReluLayer(),
        AffineLayer(hidden_dim, num_classes, GlorotUniformInit(rng=rng), ConstantInit(0.0)),
    ])


def build_cnn(seed: int = 0, image_size: int = 8, num_kernels: int = 16, kernel_size: int = 5,
              num_classes: int = 10) -> MultipleLayerModel:
    """Convolution (``same`` padding) - ReLU - 2x2 max pooling - affine to the class scores.

    Inputs are images of shape ``(batch_size, 1, image_size, image_size)``.
    """
    rng = np.random.default_rng(seed)
    pooled_size = image_size // 2
    return MultipleLayerModel([
        ConvolutionalLayer(1, num_kernels, image_size, image_size, kernel_size, kernel_size,
                           GlorotUniformInit(rng=rng), ConstantInit(0.0),
                           padding=kernel_size // 2),
        ReluLayer(),
        MaxPoolingLayer(2),
        ReshapeLayer(),
        AffineLayer(num_kernels * pooled_size * pooled_size, num_classes,
                    GlorotUniformInit(rng=rng), ConstantInit(0.0)),
    ])


BUILDERS = {"mlp": build_mlp, "cnn": build_cnn}
INPUT_SHAPES = {"mlp": (64,), "cnn": (1, 8, 8)}


def evaluate_accuracy(model, dataset) -> float:
    """Fraction of the examples in ``dataset`` classified correctly (evaluation mode)."""
    correct, total = 0.0, 0
    for inputs_batch, targets_batch in dataset:
        outputs = model.fprop(inputs_batch, evaluation=True)[-1]
        correct += accuracy(outputs, targets_batch) * len(inputs_batch)
        total += len(inputs_batch)
    return correct / total


@dataclass
class ReferenceResult:
    """A trained reference model with its accuracies and training statistics."""

    name: str
    model: MultipleLayerModel
    accuracies: dict
    stats: np.ndarray
    keys: dict
    run_time: float


def single_blas_thread():
    """A context in which NumPy's BLAS uses one thread.

    The matrices of these small models are tiny: a multi-threaded BLAS spends more time
    synchronising threads than multiplying, and on a busy machine (e.g. tests running in
    parallel) it can be ten times slower. Without ``threadpoolctl`` (installed with
    scikit-learn) this does nothing.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def train_reference(name: str, seed: int = 0, num_epochs: int | None = None,
                    progress: bool = False) -> ReferenceResult:
    """Build the reference model ``name`` (``"mlp"`` or ``"cnn"``), train it on the digits
    training set with its recipe and report train/valid/test accuracy.

    Training runs with a single BLAS thread (see :func:`single_blas_thread`).
    """
    if name not in BUILDERS:
        raise ValueError(f"train_reference: expected name to be one of {sorted(BUILDERS)}, got {name!r}")
    recipe = RECIPES[name]
    model = BUILDERS[name](seed)

    def data(which_set):
        return DigitsDataProvider(which_set, batch_size=recipe.batch_size, flatten=recipe.flatten,
                                  rng=seed)

    train, valid, test = data("train"), data("valid"), data("test")
    optimiser = Optimiser(model, CrossEntropySoftmaxError(), AdamLearningRule(recipe.learning_rate),
                          train, valid, data_monitors={"acc": accuracy}, progress=progress)
    epochs = recipe.num_epochs if num_epochs is None else num_epochs
    with single_blas_thread():
        start = time.perf_counter()
        stats, keys, _ = optimiser.train(num_epochs=epochs, stats_interval=5)
        run_time = time.perf_counter() - start
        accuracies = {which: evaluate_accuracy(model, dataset)
                      for which, dataset in (("train", train), ("valid", valid), ("test", test))}
    return ReferenceResult(name, model, accuracies, stats, keys, run_time)
