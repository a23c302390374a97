"""Figures for the lessons: decision boundaries, training curves, images, kernels, activations.

Every function draws into given axes or a new figure (created with
``matplotlib.pyplot.subplots`` so it shows inline in a notebook) and returns
``(figure, axes)``; none calls ``plt.show``. All work with the non-interactive ``Agg`` backend.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

CLASS_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def _class_labels(values: np.ndarray) -> np.ndarray:
    """Class labels from labels ``(n,)``, a column ``(n, 1)`` or scores/one-of-K ``(n, K)``."""
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] > 1:
        return np.argmax(values, axis=1)
    return values.reshape(-1)


def plot_decision_boundary(predict, inputs, targets, ax=None, resolution: int = 200,
                           padding: float = 0.5, alpha: float = 0.3, title: str | None = None):
    """Colour the plane by the class ``predict`` gives each point and scatter the data on top.

    Args:
        predict: function mapping an array of shape ``(n, 2)`` to class labels ``(n,)``
            (e.g. {-1, +1} or {0, 1}) or to class scores ``(n, K)`` (the largest wins).
        inputs: array of shape ``(num_examples, 2)``.
        targets: labels ``(num_examples,)`` or one-of-K ``(num_examples, K)``.
        ax: axes to draw in; a new figure if ``None``.
        resolution: grid points along each axis.
        padding: margin around the data, in input units.

    Returns:
        ``(figure, ax)``.
    """
    inputs = np.asarray(inputs, dtype=float)
    if inputs.ndim != 2 or inputs.shape[1] != 2:
        raise ValueError(
            f"plot_decision_boundary: expected inputs of shape (num_examples, 2), "
            f"got an array of shape {inputs.shape}"
        )
    labels = _class_labels(targets)
    if labels.shape[0] != inputs.shape[0]:
        raise ValueError(
            f"plot_decision_boundary: expected one target per example ({inputs.shape[0]}), "
            f"got {labels.shape[0]}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4.5))
    low, high = inputs.min(axis=0) - padding, inputs.max(axis=0) + padding
    grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], resolution),
                                 np.linspace(low[1], high[1], resolution))
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    predicted = _class_labels(predict(grid))
    classes = np.unique(np.concatenate([labels, predicted]))
    colours = ListedColormap([CLASS_COLOURS[i % len(CLASS_COLOURS)] for i in range(len(classes))])
    class_index = np.searchsorted(classes, predicted).reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, class_index, levels=np.arange(len(classes) + 1) - 0.5,
                cmap=colours, alpha=alpha)
    for index, label in enumerate(classes):
        chosen = labels == label
        if np.any(chosen):
            ax.scatter(inputs[chosen, 0], inputs[chosen, 1], s=14, edgecolors="k", linewidths=0.4,
                       color=CLASS_COLOURS[index % len(CLASS_COLOURS)], label=f"class {label:g}")
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title)
    return ax.figure, ax


def plot_training_curves(stats, keys, stats_interval: int = 1, names=("error", "acc"), axes=None):
    """Plot each recorded statistic against the epoch, one panel per statistic name.

    Args:
        stats, keys: as returned by :meth:`mlp.optimisers.Optimiser.train`; row ``r`` of
            ``stats`` is epoch ``r * stats_interval``.
        stats_interval: epochs between rows.
        names: statistic names to plot, e.g. ``("error", "acc")``; each panel shows every
            key ``name(...)`` (train and valid). Names with no recorded key are skipped.
        axes: a sequence of axes, one per plotted name; a new figure if ``None``.

    Returns:
        ``(figure, list_of_axes)``.
    """
    stats = np.asarray(stats, dtype=float)
    if stats.ndim != 2:
        raise ValueError(f"plot_training_curves: expected a 2-D stats array, got shape {stats.shape}")
    panels = [(name, [key for key in keys if key.startswith(name + "(")]) for name in names]
    panels = [(name, matching) for name, matching in panels if matching]
    if not panels:
        raise ValueError(
            f"plot_training_curves: none of the names {tuple(names)} match the recorded "
            f"statistics {list(keys)}"
        )
    if axes is None:
        figure, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.5), squeeze=False)
        axes = list(axes[0])
    else:
        axes = list(np.ravel(axes))
        if len(axes) < len(panels):
            raise ValueError(f"plot_training_curves: need {len(panels)} axes, got {len(axes)}")
        figure = axes[0].figure
    epochs = np.arange(stats.shape[0]) * stats_interval
    for ax, (name, matching) in zip(axes, panels, strict=False):
        for key in matching:
            ax.plot(epochs, stats[:, keys[key]], label=key)
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.legend(loc="best")
        ax.grid(alpha=0.3)
    return figure, axes[:len(panels)]


def _as_images(images) -> np.ndarray:
    """Images of shape ``(n, height, width)`` from ``(n, h, w)``, ``(n, 1, h, w)`` or square
    vectors ``(n, h * w)``."""
    images = np.asarray(images, dtype=float)
    if images.ndim == 4 and images.shape[1] == 1:
        return images[:, 0]
    if images.ndim == 3:
        return images
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side == images.shape[1]:
            return images.reshape(images.shape[0], side, side)
    raise ValueError(
        "plot_image_grid: expected images of shape (n, height, width), (n, 1, height, width) or "
        f"(n, side * side), got an array of shape {images.shape}"
    )


def plot_image_grid(images, labels=None, ncols: int = 10, cmap: str = "gray_r",
                    size: float = 1.0, vmin=None, vmax=None):
    """Show grey-scale images in a grid, optionally titled with their labels.

    Args:
        images: array of shape ``(n, height, width)``, ``(n, 1, height, width)`` or
            ``(n, side * side)``.
        labels: optional sequence of ``n`` titles (numbers or strings).
        ncols: images per row.
        size: inches per image.

    Returns:
        ``(figure, axes)`` with ``axes`` of shape ``(nrows, ncols)``.
    """
    images = _as_images(images)
    if labels is not None and len(labels) != images.shape[0]:
        raise ValueError(
            f"plot_image_grid: expected {images.shape[0]} labels (one per image), got {len(labels)}"
        )
    ncols = max(1, min(int(ncols), images.shape[0]))
    nrows = math.ceil(images.shape[0] / ncols)
    figure, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15),
                                squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if index < images.shape[0]:
            ax.imshow(images[index], cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
            if labels is not None:
                label = labels[index]
                ax.set_title(f"{label:g}" if isinstance(label, (int, float, np.number)) else str(label),
                             fontsize=9)
    return figure, axes


def plot_kernels(kernels, cmap: str = "RdBu_r", size: float = 1.0):
    """Show convolution kernels: one row per output channel, one column per input channel.

    Colours share one symmetric scale around 0 (red positive, blue negative), so kernels
    can be compared.

    Args:
        kernels: array of shape ``(num_output_channels, num_input_channels, kernel_height,
            kernel_width)``.

    Returns:
        ``(figure, axes)`` with ``axes`` of shape ``(num_output_channels, num_input_channels)``.
    """
    kernels = np.asarray(kernels, dtype=float)
    if kernels.ndim != 4:
        raise ValueError(
            "plot_kernels: expected kernels of shape (num_output_channels, num_input_channels, "
            f"kernel_height, kernel_width), got an array of shape {kernels.shape}"
        )
    num_out, num_in = kernels.shape[:2]
    limit = float(np.max(np.abs(kernels))) or 1.0
    figure, axes = plt.subplots(num_out, num_in, figsize=(size * num_in + 0.8, size * num_out),
                                squeeze=False)
    image = None
    for out_channel in range(num_out):
        for in_channel in range(num_in):
            ax = axes[out_channel, in_channel]
            image = ax.imshow(kernels[out_channel, in_channel], cmap=cmap, vmin=-limit, vmax=limit,
                              interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if in_channel == 0:
                ax.set_ylabel(f"out {out_channel}", fontsize=8)
            if out_channel == 0:
                ax.set_title(f"in {in_channel}", fontsize=8)
    figure.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8)
    return figure, axes


def _activation_functions(function, derivative):
    """``(f, f')`` as functions of a 1-D array, from callables or a layer (``fprop``/``bprop``)."""
    if hasattr(function, "fprop") and hasattr(function, "bprop"):
        layer = function

        def values(x):
            return layer.fprop(x[:, None])[:, 0]

        if derivative is None:
            def derivative(x):
                column = x[:, None]
                outputs = layer.fprop(column)
                return layer.bprop(column, outputs, np.ones_like(outputs))[:, 0]

        return values, derivative, type(layer).__name__
    if not callable(function):
        raise TypeError(f"plot_activation: expected a function or a layer, got {function!r}")
    return function, derivative, getattr(function, "__name__", "f")


def plot_activation(function, derivative=None, x_range=(-5.0, 5.0), num_points: int = 401,
                    ax=None, label: str | None = None):
    """Plot an activation function and (optionally) its derivative.

    Args:
        function: a function of a 1-D array, or a layer (then the derivative comes from its
            ``bprop`` unless ``derivative`` is given).
        derivative: the derivative as a function of a 1-D array, or ``None``.
        x_range: ``(low, high)`` of the horizontal axis.

    Returns:
        ``(figure, ax)``.
    """
    values, derivative, name = _activation_functions(function, derivative)
    label = label or name
    x = np.linspace(float(x_range[0]), float(x_range[1]), int(num_points))
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(x, values(x), label=label)
    if derivative is not None:
        ax.plot(x, derivative(x), linestyle="--", label=f"derivative of {label}")
    ax.axhline(0, color="grey", linewidth=0.5)
    ax.axvline(0, color="grey", linewidth=0.5)
    ax.set_xlabel("$x$")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return ax.figure, ax
