r"""Explorer for lesson 05 (convolutional networks): a 3x3 kernel sliding over an image.

A kernel :math:`K` of shape ``(kernel_height, kernel_width)`` applied to an image :math:`X` gives
the *feature map*

.. math:: Y_{ij} = \sum_{u,v} K_{uv}\, X_{i+u,\,j+v}

(cross-correlation, what convolutional layers compute). A true convolution flips the kernel
first: :math:`Y_{ij} = \sum_{u,v} K_{uv}\, X_{i-u,\,j-v}`, which on the "valid" region equals the
cross-correlation with :math:`K` rotated by 180 degrees. Only positions where the kernel fits
inside the image are kept ("valid"), so an ``H x W`` image gives an
``(H - kernel_height + 1) x (W - kernel_width + 1)`` map.

- :func:`cross_correlate`, :func:`convolve`, :func:`relu`, :func:`max_pool`: the computations
  behind the picture, for one 2-D image (vectorised with strided windows, no loops over pixels).
- :class:`KernelExplorer`: pick an image and a preset kernel (or edit the nine weights), choose
  cross-correlation or convolution, optionally apply ReLU and 2x2 max pooling, and see the
  feature map.
"""

from __future__ import annotations

import ipywidgets
import numpy as np
from matplotlib.figure import Figure
from numpy.lib.stride_tricks import sliding_window_view

from mlp.validation import as_float_array, check_ndim, check_positive_int
from mlp.widgets.common import Explorer, checkbox, dropdown, slider

KERNEL_SIZE = 3
KERNEL_RANGE = (-2.0, 2.0)

#: Named 3x3 kernels; each responds strongly where the image looks like the kernel.
KERNEL_PRESETS: dict[str, np.ndarray] = {
    "identity": np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
    "vertical edge (dark | bright)": np.array([[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]]),
    "horizontal edge (dark over bright)": np.array([[-1.0, -1.0, -1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]),
    "back slash \\": np.array([[1.0, -0.5, -0.5], [-0.5, 1.0, -0.5], [-0.5, -0.5, 1.0]]),
    "forward slash /": np.array([[-0.5, -0.5, 1.0], [-0.5, 1.0, -0.5], [1.0, -0.5, -0.5]]),
    "blur (average)": np.full((3, 3), 1.0 / 9.0),
    "sharpen": np.array([[0.0, -0.5, 0.0], [-0.5, 2.0, -0.5], [0.0, -0.5, 0.0]]),
}
CUSTOM = "custom"
MODES = ("cross-correlation", "convolution")

_SETTING_NAMES = ("image", "preset", "mode", "use_relu", "use_pool")
_WEIGHT_NAMES = tuple(f"k{row}{column}" for row in range(KERNEL_SIZE) for column in range(KERNEL_SIZE))


def _image_and_kernel(owner: str, image, kernel) -> tuple[np.ndarray, np.ndarray]:
    image = as_float_array(owner, "image", image)
    kernel = as_float_array(owner, "kernel", kernel)
    check_ndim(owner, "image", image, 2, "(height, width)")
    check_ndim(owner, "kernel", kernel, 2, "(kernel_height, kernel_width)")
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError(f"{owner}: expected a kernel no larger than the image {image.shape}, "
                         f"got a kernel of shape {kernel.shape}")
    return image, kernel


def cross_correlate(image, kernel) -> np.ndarray:
    """Slide ``kernel`` over ``image`` and sum the products at every position where it fits.

    Args:
        image: array of shape (height, width).
        kernel: array of shape (kernel_height, kernel_width), no larger than the image.

    Returns:
        The feature map, of shape (height - kernel_height + 1, width - kernel_width + 1).
    """
    image, kernel = _image_and_kernel("cross_correlate", image, kernel)
    windows = sliding_window_view(image, kernel.shape)  # (out_height, out_width, kh, kw)
    return np.einsum("ijuv,uv->ij", windows, kernel)


def convolve(image, kernel) -> np.ndarray:
    """True (flipped-kernel) convolution of ``image`` with ``kernel``, on the valid region.

    Equal to :func:`cross_correlate` with the kernel rotated by 180 degrees.

    Args:
        image: array of shape (height, width).
        kernel: array of shape (kernel_height, kernel_width).

    Returns:
        Array of shape (height - kernel_height + 1, width - kernel_width + 1).
    """
    image, kernel = _image_and_kernel("convolve", image, kernel)
    return cross_correlate(image, kernel[::-1, ::-1])


def relu(values) -> np.ndarray:
    """Elementwise ``max(0, x)``."""
    values = as_float_array("relu", "values", values)
    return np.maximum(values, 0.0)


def max_pool(feature_map, pool_size: int = 2) -> np.ndarray:
    """Largest value of each non-overlapping ``pool_size x pool_size`` block.

    Rows and columns that do not fill a whole block (at the bottom and right) are dropped.

    Args:
        feature_map: array of shape (height, width), at least ``pool_size`` in each direction.
        pool_size: side of the square blocks.

    Returns:
        Array of shape (height // pool_size, width // pool_size).
    """
    owner = "max_pool"
    feature_map = as_float_array(owner, "feature_map", feature_map)
    check_ndim(owner, "feature_map", feature_map, 2, "(height, width)")
    pool_size = check_positive_int(owner, "pool_size", pool_size)
    rows, columns = (size // pool_size for size in feature_map.shape)
    if rows == 0 or columns == 0:
        raise ValueError(f"{owner}: expected a feature map at least {pool_size}x{pool_size}, "
                         f"got shape {feature_map.shape}")
    blocks = feature_map[:rows * pool_size, :columns * pool_size].reshape(rows, pool_size, columns, pool_size)
    return blocks.max(axis=(1, 3))


def _default_images() -> tuple[np.ndarray, list[str]]:
    """One test-set digit of each class, then two slashes of each direction."""
    from mlp.data_providers import BACK_SLASH, load_digits_split, make_slashes

    digits, digit_labels = load_digits_split("test", flatten=False)
    first_of_each = [int(np.flatnonzero(digit_labels == label)[0]) for label in range(10)]
    slashes, slash_labels = make_slashes(num_examples=4, noise=0.0, min_length=5, seed=1)
    images = np.concatenate([digits[first_of_each, 0], slashes[:, 0]])
    labels = [f"digit {label}" for label in range(10)]
    labels += ["back slash" if label == BACK_SLASH else "forward slash" for label in slash_labels]
    return images, labels


def _draw_grid(ax, values: np.ndarray, title: str, cmap: str, symmetric: bool = False,
               annotate: bool = False) -> None:
    limit = float(np.max(np.abs(values))) or 1.0
    limits = {"vmin": -limit, "vmax": limit} if symmetric else {}
    ax.imshow(values, cmap=cmap, interpolation="nearest", **limits)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    if annotate:
        for (row, column), value in np.ndenumerate(values):
            ax.text(column, row, f"{value:.2g}", ha="center", va="center", fontsize=8,
                    color="white" if abs(value) > 0.6 * limit else "black")


class KernelExplorer(Explorer):
    """Apply a 3x3 kernel to an image and show the feature map (optionally ReLU and max-pooled).

    Controls: ``image`` (which image), ``preset`` (load a named kernel into the weights),
    ``k00`` ... ``k22`` (the nine kernel weights, row by row), ``mode`` (cross-correlation or
    convolution), ``use_relu`` and ``use_pool`` (apply ReLU, then 2x2 max pooling, to the map).
    Editing a weight by hand sets ``preset`` to ``"custom"``.

    ``update`` returns ``{"image", "kernel", "feature_map", "pooled"}``: the arrays drawn
    (``feature_map`` after ReLU if ticked; ``pooled`` is None unless ``use_pool`` is ticked).

    Args:
        images: array of shape (num_images, height, width) or (num_images, 1, height, width);
            None uses ten digits and four slash images.
        labels: one title per image (optional).
        preset: name of the kernel to start with (a key of :data:`KERNEL_PRESETS`).
    """

    def __init__(self, images=None, labels=None, preset: str = "vertical edge (dark | bright)") -> None:
        owner = type(self).__name__
        if images is None:
            images, default_labels = _default_images()
            labels = default_labels if labels is None else labels
        images = as_float_array(owner, "images", images)
        if images.ndim == 4 and images.shape[1] == 1:
            images = images[:, 0]
        check_ndim(owner, "images", images, 3, "(num_images, height, width)")
        if images.shape[0] == 0 or min(images.shape[1:]) < KERNEL_SIZE:
            raise ValueError(f"{owner}: expected at least one image of at least {KERNEL_SIZE}x{KERNEL_SIZE} "
                             f"pixels, got images of shape {images.shape}")
        if labels is not None and len(labels) != images.shape[0]:
            raise ValueError(f"{owner}: expected one label per image ({images.shape[0]}), got {len(labels)}")
        if preset not in KERNEL_PRESETS:
            raise ValueError(f"{owner}: expected preset to be one of {sorted(KERNEL_PRESETS)}, got {preset!r}")
        self.images = images
        self.labels = None if labels is None else [str(label) for label in labels]
        self._initial_preset = preset
        kernel = KERNEL_PRESETS[preset]
        if images.shape[0] > 1:
            image_control = slider("image", 0, images.shape[0] - 1, value=0, kind="int")
        else:  # nothing to choose from
            image_control = ipywidgets.IntSlider(value=0, min=0, max=0, description="image", disabled=True)
        controls = {
            "image": image_control,
            "preset": dropdown("kernel", [*KERNEL_PRESETS, CUSTOM], value=preset),
            "mode": dropdown("operation", MODES, value=MODES[0]),
            "use_relu": checkbox("apply ReLU", value=False),
            "use_pool": checkbox("2x2 max pooling", value=False),
        }
        for name, value in zip(_WEIGHT_NAMES, kernel.ravel(), strict=True):
            weight = slider(f"[{name[1]},{name[2]}]", *KERNEL_RANGE, value=float(value), step=0.01)
            weight.layout.width = "190px"
            controls[name] = weight
        super().__init__(controls, figsize=(9.0, 2.8))

    # Keeping the preset and the weights in step ---------------------------------------------

    @property
    def kernel(self) -> np.ndarray:
        """The current 3x3 kernel (from the weight controls)."""
        return np.array([self.controls[name].value for name in _WEIGHT_NAMES]).reshape(KERNEL_SIZE, KERNEL_SIZE)

    def _set_weights(self, kernel: np.ndarray) -> None:
        updating, self._updating = self._updating, True
        try:
            for name, value in zip(_WEIGHT_NAMES, np.asarray(kernel).ravel(), strict=True):
                self.controls[name].value = float(value)
        finally:
            self._updating = updating

    def _set_preset_label(self, name: str) -> None:
        updating, self._updating = self._updating, True
        try:
            self.controls["preset"].value = name
        finally:
            self._updating = updating

    def update(self, **values):
        """Set controls and redraw; a ``preset`` fills in every weight not given explicitly."""
        preset = values.get("preset")
        if preset is not None and preset != CUSTOM and preset in KERNEL_PRESETS:
            preset_weights = dict(zip(_WEIGHT_NAMES, KERNEL_PRESETS[preset].ravel().tolist(), strict=True))
            explicit = {name: value for name, value in values.items() if name in _WEIGHT_NAMES}
            values = {**values, **preset_weights, **explicit}
        result = super().update(**values)
        self._sync_preset_label()
        return result

    def _sync_preset_label(self) -> None:
        preset = self.controls["preset"].value
        if preset != CUSTOM and not np.allclose(self.kernel, KERNEL_PRESETS[preset]):
            self._set_preset_label(CUSTOM)

    def _on_change(self, change) -> None:
        if self._updating:
            return
        if change["owner"] is self.controls["preset"] and change["new"] in KERNEL_PRESETS:
            self._set_weights(KERNEL_PRESETS[change["new"]])
        elif change["owner"] in [self.controls[name] for name in _WEIGHT_NAMES]:
            self._sync_preset_label()
        self.redraw()

    # Drawing ----------------------------------------------------------------------------------

    def draw(self, figure: Figure, image: int, preset: str, mode: str, use_relu: bool, use_pool: bool,
             **weights) -> dict:
        kernel = np.array([weights[name] for name in _WEIGHT_NAMES]).reshape(KERNEL_SIZE, KERNEL_SIZE)
        picture = self.images[int(image)]
        operation = convolve if mode == "convolution" else cross_correlate
        feature_map = operation(picture, kernel)
        if use_relu:
            feature_map = relu(feature_map)
        pooled = max_pool(feature_map, 2) if use_pool and min(feature_map.shape) >= 2 else None
        panels = 4 if pooled is not None else 3
        axes = figure.subplots(1, panels)
        title = self.labels[int(image)] if self.labels else f"image {int(image)}"
        _draw_grid(axes[0], picture, f"{title} {picture.shape}", "gray_r")
        kernel_title = "kernel" + (" (flipped when applied)" if mode == "convolution" else "")
        _draw_grid(axes[1], kernel, kernel_title, "RdBu_r", symmetric=True, annotate=True)
        map_title = f"{mode}{' + ReLU' if use_relu else ''} {feature_map.shape}"
        _draw_grid(axes[2], feature_map, map_title, "RdBu_r", symmetric=True)
        if pooled is not None:
            _draw_grid(axes[3], pooled, f"2x2 max pool {pooled.shape}", "RdBu_r", symmetric=True)
        figure.tight_layout()
        self.say(f"feature map: min {feature_map.min():.3g}, max {feature_map.max():.3g}; "
                 "red = strong positive response (the image looks like the kernel there)")
        return {"image": picture, "kernel": kernel, "feature_map": feature_map, "pooled": pooled}

    @property
    def widget(self) -> ipywidgets.Widget:
        """Settings on the left, the 3x3 grid of kernel weights on the right, the figure below."""
        if self._widget is None:
            if not self.image.value:
                self.redraw()
            settings = ipywidgets.VBox([self.controls[name] for name in _SETTING_NAMES])
            weights = ipywidgets.GridBox([self.controls[name] for name in _WEIGHT_NAMES],
                                         layout=ipywidgets.Layout(grid_template_columns="repeat(3, 200px)"))
            self._widget = ipywidgets.VBox([ipywidgets.HBox([settings, weights]), self.image, self.message])
        return self._widget

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(images=<{self.images.shape[0]} images of "
                f"{self.images.shape[1]}x{self.images.shape[2]}>, preset={self._initial_preset!r})")
