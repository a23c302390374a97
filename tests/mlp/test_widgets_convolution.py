"""Tests of mlp.widgets.convolution: the feature-map computations and the kernel explorer."""

from __future__ import annotations

import ipywidgets
import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

from mlp.widgets.convolution import (
    CUSTOM,
    KERNEL_PRESETS,
    KERNEL_RANGE,
    MODES,
    KernelExplorer,
    convolve,
    cross_correlate,
    max_pool,
    relu,
)

WEIGHT_NAMES = [f"k{row}{column}" for row in range(3) for column in range(3)]


def _loop_cross_correlation(image, kernel):
    """The definition, one output pixel at a time (independent of the vectorised code)."""
    out_height = image.shape[0] - kernel.shape[0] + 1
    out_width = image.shape[1] - kernel.shape[1] + 1
    result = np.zeros((out_height, out_width))
    for i in range(out_height):
        for j in range(out_width):
            result[i, j] = np.sum(image[i:i + kernel.shape[0], j:j + kernel.shape[1]] * kernel)
    return result


@st.composite
def images_and_kernels(draw):
    height, width = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    kernel_height, kernel_width = draw(st.integers(1, height)), draw(st.integers(1, width))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return rng.standard_normal((height, width)), rng.standard_normal((kernel_height, kernel_width))


# Feature-map computations ------------------------------------------------------------------------


def test_cross_correlate_matches_a_hand_computed_example():
    image = np.array([[1.0, 2.0, 0.0],
                      [0.0, 1.0, 3.0],
                      [4.0, 0.0, 1.0]])
    kernel = np.array([[1.0, 0.0],
                       [0.0, -1.0]])
    # top-left: 1*1 + 1*(-1) = 0; top-right: 2 - 3 = -1; bottom-left: 0 - 0 = 0; bottom-right: 1 - 1 = 0
    np.testing.assert_allclose(cross_correlate(image, kernel), [[0.0, -1.0], [0.0, 0.0]])


@given(images_and_kernels())
def test_cross_correlate_equals_the_sum_over_each_window(image_and_kernel):
    image, kernel = image_and_kernel
    np.testing.assert_allclose(cross_correlate(image, kernel), _loop_cross_correlation(image, kernel),
                               rtol=1e-12, atol=1e-12)


@given(images_and_kernels())
def test_cross_correlate_agrees_with_scipy(image_and_kernel):
    image, kernel = image_and_kernel
    np.testing.assert_allclose(cross_correlate(image, kernel),
                               scipy.signal.correlate2d(image, kernel, mode="valid"), rtol=1e-12, atol=1e-12)


@given(images_and_kernels())
def test_convolve_agrees_with_scipy(image_and_kernel):
    image, kernel = image_and_kernel
    np.testing.assert_allclose(convolve(image, kernel), scipy.signal.convolve2d(image, kernel, mode="valid"),
                               rtol=1e-12, atol=1e-12)


def test_convolve_flips_the_kernel():
    image = np.zeros((3, 3))
    image[0, 0] = 1.0  # a single bright pixel in the top-left corner
    kernel = np.arange(4.0).reshape(2, 2)
    # cross-correlation at (0, 0) multiplies the pixel by the kernel's top-left weight (0);
    # convolution multiplies it by the bottom-right weight (3)
    assert cross_correlate(image, kernel)[0, 0] == 0.0
    assert convolve(image, kernel)[0, 0] == 3.0


def test_convolve_equals_cross_correlate_for_a_kernel_symmetric_under_rotation():
    image = np.random.default_rng(0).standard_normal((6, 6))
    kernel = KERNEL_PRESETS["sharpen"]
    np.testing.assert_allclose(convolve(image, kernel), cross_correlate(image, kernel))


def test_cross_correlate_rejects_a_kernel_larger_than_the_image():
    with pytest.raises(ValueError, match="cross_correlate.*no larger than the image"):
        cross_correlate(np.zeros((2, 5)), np.zeros((3, 3)))


def test_cross_correlate_rejects_a_3d_image():
    with pytest.raises(ValueError, match=r"cross_correlate.*image.*\(height, width\)"):
        cross_correlate(np.zeros((1, 4, 4)), np.zeros((3, 3)))


def test_relu_zeroes_negative_values_and_keeps_the_rest():
    np.testing.assert_array_equal(relu(np.array([[-2.0, 0.0, 3.5]])), [[0.0, 0.0, 3.5]])


def test_max_pool_takes_the_largest_value_of_each_block():
    feature_map = np.array([[1.0, 2.0, 0.0, -1.0],
                            [3.0, 0.0, -2.0, -3.0],
                            [0.0, 0.0, 5.0, 1.0],
                            [0.0, -1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(max_pool(feature_map, 2), [[3.0, 0.0], [0.0, 5.0]])


def test_max_pool_drops_rows_and_columns_that_do_not_fill_a_block():
    feature_map = np.arange(35.0).reshape(5, 7)
    pooled = max_pool(feature_map, 2)
    assert pooled.shape == (2, 3)
    assert pooled[-1, -1] == feature_map[3, 5]


def test_max_pool_rejects_a_map_smaller_than_one_block():
    with pytest.raises(ValueError, match="max_pool"):
        max_pool(np.zeros((1, 4)), 2)


# The explorer -------------------------------------------------------------------------------------


@pytest.fixture
def images():
    return np.random.default_rng(1).uniform(size=(5, 8, 8))


def test_explorer_has_an_image_slider_over_every_image(images):
    explorer = KernelExplorer(images)
    assert isinstance(explorer.controls["image"], ipywidgets.IntSlider)
    assert (explorer.controls["image"].min, explorer.controls["image"].max) == (0, 4)


def test_explorer_weight_sliders_cover_every_preset():
    explorer = KernelExplorer(np.zeros((1, 5, 5)))
    lowest = min(float(kernel.min()) for kernel in KERNEL_PRESETS.values())
    highest = max(float(kernel.max()) for kernel in KERNEL_PRESETS.values())
    for name in WEIGHT_NAMES:
        control = explorer.controls[name]
        assert isinstance(control, ipywidgets.FloatSlider)
        assert (control.min, control.max) == KERNEL_RANGE
        assert control.min <= lowest and highest <= control.max


def test_explorer_offers_every_preset_custom_and_both_operations():
    explorer = KernelExplorer(np.zeros((1, 5, 5)))
    assert list(explorer.controls["preset"].options) == [*KERNEL_PRESETS, CUSTOM]
    assert list(explorer.controls["mode"].options) == list(MODES)


def test_choosing_a_preset_loads_its_weights_and_draws_its_feature_map(images):
    explorer = KernelExplorer(images)
    result = explorer.update(preset="horizontal edge (dark over bright)", image=3)
    np.testing.assert_allclose(explorer.kernel, KERNEL_PRESETS["horizontal edge (dark over bright)"])
    np.testing.assert_allclose(result["feature_map"],
                               _loop_cross_correlation(images[3], KERNEL_PRESETS["horizontal edge (dark over bright)"]))


def test_choosing_a_preset_in_the_dropdown_loads_its_weights(images):
    explorer = KernelExplorer(images)
    explorer.controls["preset"].value = "blur (average)"  # what the user does in the notebook
    np.testing.assert_allclose(explorer.kernel, KERNEL_PRESETS["blur (average)"])
    np.testing.assert_allclose(explorer.last_result["feature_map"],
                               _loop_cross_correlation(images[0], KERNEL_PRESETS["blur (average)"]))


def test_editing_a_weight_changes_the_feature_map_and_marks_the_kernel_custom(images):
    explorer = KernelExplorer(images, preset="identity")
    before = explorer.update(image=2)["feature_map"]
    after = explorer.update(k00=1.0)["feature_map"]
    np.testing.assert_allclose(after - before, images[2][:6, :6])  # the new weight adds the shifted image
    assert explorer.controls["preset"].value == CUSTOM


def test_dragging_a_weight_slider_marks_the_kernel_custom(images):
    explorer = KernelExplorer(images, preset="identity")
    explorer.controls["k12"].value = -1.0
    assert explorer.controls["preset"].value == CUSTOM
    assert explorer.last_result["kernel"][1, 2] == -1.0


def test_convolution_mode_applies_the_flipped_kernel(images):
    explorer = KernelExplorer(images)
    result = explorer.update(preset="back slash \\", mode="convolution", image=1)
    expected = _loop_cross_correlation(images[1], KERNEL_PRESETS["back slash \\"][::-1, ::-1])
    np.testing.assert_allclose(result["feature_map"], expected)


def test_relu_and_pooling_options_transform_the_feature_map(images):
    explorer = KernelExplorer(images)
    plain = explorer.update(preset="vertical edge (dark | bright)", image=0)["feature_map"]
    result = explorer.update(use_relu=True, use_pool=True)
    np.testing.assert_allclose(result["feature_map"], np.maximum(plain, 0.0))
    assert result["pooled"].shape == (3, 3)
    np.testing.assert_allclose(result["pooled"][0, 0], np.maximum(plain, 0.0)[:2, :2].max())


def test_pooling_is_off_by_default(images):
    assert KernelExplorer(images).update()["pooled"] is None


def test_update_redraws_the_figure(images):
    explorer = KernelExplorer(images)
    explorer.update(image=0)
    first = explorer.image.value
    explorer.update(image=4)
    assert explorer.image.value and explorer.image.value != first
    assert len(explorer.figure.axes) == 3


def test_widget_holds_every_control(images):
    explorer = KernelExplorer(images)
    widget = explorer.widget

    def descendants(node):
        yield node
        for child in getattr(node, "children", ()):
            yield from descendants(child)

    shown = list(descendants(widget))
    assert all(any(control is item for item in shown) for control in explorer.controls.values())
    assert any(item is explorer.image for item in shown)


def test_default_explorer_shows_digits_and_slashes():
    explorer = KernelExplorer()
    assert explorer.images.shape == (14, 8, 8)
    assert explorer.labels[:2] == ["digit 0", "digit 1"]
    assert {"back slash", "forward slash"} <= set(explorer.labels[10:])


def test_explorer_of_a_single_image_has_a_fixed_image_slider():
    control = KernelExplorer(np.zeros((1, 5, 5))).controls["image"]
    assert (control.min, control.max, control.value) == (0, 0, 0)


def test_explorer_accepts_channel_first_images():
    assert KernelExplorer(np.zeros((2, 1, 6, 6))).images.shape == (2, 6, 6)


def test_explorer_rejects_images_without_a_batch_axis():
    with pytest.raises(ValueError, match=r"KernelExplorer.*\(num_images, height, width\)"):
        KernelExplorer(np.zeros((8, 8)))


def test_explorer_rejects_an_unknown_preset():
    with pytest.raises(ValueError, match="KernelExplorer.*preset"):
        KernelExplorer(np.zeros((1, 5, 5)), preset="emboss")


def test_explorer_rejects_a_label_count_that_does_not_match(images):
    with pytest.raises(ValueError, match="KernelExplorer.*one label per image"):
        KernelExplorer(images, labels=["a", "b"])


def test_explorer_repr_shows_its_arguments(images):
    assert repr(KernelExplorer(images, preset="identity")) == (
        "KernelExplorer(images=<5 images of 8x8>, preset='identity')")
