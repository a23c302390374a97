"""Plotting helpers: each draws what it says and returns (figure, axes) without showing."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from mlp.plotting import (  # noqa: E402
    CLASS_COLOURS,
    plot_activation,
    plot_decision_boundary,
    plot_image_grid,
    plot_kernels,
    plot_training_curves,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def pixel_colour(ax, x, y):
    """RGB (0..1) of the rendered pixel at data coordinates (x, y)."""
    figure = ax.figure
    figure.canvas.draw()
    image = np.asarray(figure.canvas.buffer_rgba())[..., :3] / 255.0
    column, row = ax.transData.transform((x, y))
    return image[image.shape[0] - int(round(row)), int(round(column))]


# Decision boundary ----------------------------------------------------------------------------


def test_decision_boundary_colours_each_side_with_its_class_colour():
    inputs = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    labels = np.array([0, 0, 1, 1])
    figure, ax = plot_decision_boundary(lambda x: (x[:, 0] > 0).astype(int), inputs, labels,
                                        resolution=50)
    left, right = pixel_colour(ax, -1.3, 0.0), pixel_colour(ax, 1.3, 0.0)
    blue, red = np.array(to_rgb(CLASS_COLOURS[0])), np.array(to_rgb(CLASS_COLOURS[1]))
    # the regions are tinted (alpha 0.3 over white) towards their class colour
    assert np.linalg.norm(left - (0.7 + 0.3 * blue)) < 0.05
    assert np.linalg.norm(right - (0.7 + 0.3 * red)) < 0.05
    assert figure is ax.figure


def test_decision_boundary_evaluates_predict_on_a_grid_covering_the_data_with_padding():
    calls = []

    def predict(grid):
        calls.append(grid)
        return np.ones(len(grid))

    inputs = np.array([[0.0, 1.0], [2.0, 3.0]])
    plot_decision_boundary(predict, inputs, np.array([1, 1]), resolution=30, padding=0.5)
    (grid,) = calls
    assert grid.shape == (900, 2)
    np.testing.assert_allclose(grid.min(axis=0), [-0.5, 0.5])
    np.testing.assert_allclose(grid.max(axis=0), [2.5, 3.5])


def test_decision_boundary_scatters_every_point_in_its_class_colour():
    inputs = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]])
    one_of_k = np.array([[1, 0], [0, 1], [0, 1]])
    _, ax = plot_decision_boundary(lambda x: np.column_stack([-x[:, 0], x[:, 0]]), inputs, one_of_k)
    scatters = [c for c in ax.collections if c.get_offsets().shape[0] in (1, 2)]
    offsets = {len(c.get_offsets()): c.get_offsets() for c in scatters}
    np.testing.assert_allclose(offsets[1], inputs[:1])
    np.testing.assert_allclose(offsets[2], inputs[1:])


def test_decision_boundary_needs_two_dimensional_inputs():
    with pytest.raises(ValueError, match=r"\(num_examples, 2\)"):
        plot_decision_boundary(lambda x: x[:, 0], np.zeros((4, 3)), np.zeros(4))


# Training curves ------------------------------------------------------------------------------


def test_training_curves_plot_each_statistic_against_its_epoch():
    stats = np.array([[2.0, 0.1, 2.1, 0.1], [1.0, 0.6, 1.2, 0.5], [0.5, 0.9, 0.8, 0.8]])
    keys = {"error(train)": 0, "acc(train)": 1, "error(valid)": 2, "acc(valid)": 3}
    figure, axes = plot_training_curves(stats, keys, stats_interval=5)
    assert len(axes) == 2
    lines = {line.get_label(): line for ax in axes for line in ax.get_lines()}
    assert set(lines) == set(keys)
    for name, column in keys.items():
        np.testing.assert_array_equal(lines[name].get_xdata(), [0, 5, 10])
        np.testing.assert_array_equal(lines[name].get_ydata(), stats[:, column])
    assert [ax.get_ylabel() for ax in axes] == ["error", "acc"]


def test_training_curves_skip_names_that_were_not_recorded():
    _, axes = plot_training_curves(np.ones((3, 1)), {"error(train)": 0}, stats_interval=1)
    assert len(axes) == 1


def test_training_curves_without_any_matching_name_is_an_error():
    with pytest.raises(ValueError, match="none of the names"):
        plot_training_curves(np.ones((3, 1)), {"loss": 0}, names=("error",))


def test_training_curves_draw_into_given_axes():
    _, given_axes = plt.subplots(1, 2)
    figure, axes = plot_training_curves(np.ones((2, 2)), {"error(train)": 0, "acc(train)": 1},
                                        axes=given_axes)
    assert list(axes) == list(given_axes)
    assert figure is given_axes[0].figure


# Images and kernels ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(7, 8, 8), (7, 1, 8, 8), (7, 64)])
def test_image_grid_shows_every_image_in_rows_of_ncols(shape):
    images = np.random.default_rng(0).uniform(size=shape)
    figure, axes = plot_image_grid(images, labels=list(range(7)), ncols=3)
    assert axes.shape == (3, 3)
    shown = [ax.get_images()[0].get_array() for ax in axes.flat if ax.get_images()]
    assert len(shown) == 7
    np.testing.assert_allclose(shown[4], images.reshape(7, 8, 8)[4])
    assert [ax.get_title() for ax in axes.flat][:7] == [str(i) for i in range(7)]


def test_image_grid_rejects_non_square_vectors():
    with pytest.raises(ValueError, match="side"):
        plot_image_grid(np.zeros((2, 10)))


def test_kernels_are_laid_out_by_output_and_input_channel_on_one_symmetric_scale():
    kernels = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2) - 5.0
    figure, axes = plot_kernels(kernels)
    assert axes.shape == (2, 3)
    image = axes[1, 2].get_images()[0]
    np.testing.assert_array_equal(image.get_array(), kernels[1, 2])
    assert image.get_clim() == (-18.0, 18.0)


def test_kernels_need_four_dimensions():
    with pytest.raises(ValueError, match="num_output_channels"):
        plot_kernels(np.zeros((3, 3)))


# Activation functions -------------------------------------------------------------------------


def test_activation_and_derivative_curves_are_the_given_functions():
    figure, ax = plot_activation(np.tanh, lambda x: 1 - np.tanh(x) ** 2, x_range=(-2, 2),
                                 num_points=11)
    function_line, derivative_line = ax.get_lines()[:2]
    x = np.linspace(-2, 2, 11)
    np.testing.assert_allclose(function_line.get_xdata(), x)
    np.testing.assert_allclose(function_line.get_ydata(), np.tanh(x))
    np.testing.assert_allclose(derivative_line.get_ydata(), 1 / np.cosh(x) ** 2)


class SquareLayer:
    """A stand-in layer y = x^2 (dy/dx = 2x) with the fprop/bprop interface."""

    def fprop(self, inputs):
        return inputs ** 2

    def bprop(self, inputs, outputs, grads_wrt_outputs):
        return 2 * inputs * grads_wrt_outputs


def test_activation_of_a_layer_takes_the_derivative_from_bprop():
    _, ax = plot_activation(SquareLayer(), x_range=(-1, 1), num_points=5)
    function_line, derivative_line = ax.get_lines()[:2]
    x = np.linspace(-1, 1, 5)
    np.testing.assert_allclose(function_line.get_ydata(), x ** 2)
    np.testing.assert_allclose(derivative_line.get_ydata(), 2 * x)
    assert function_line.get_label() == "SquareLayer"


def test_activation_without_derivative_draws_one_curve():
    _, ax = plot_activation(np.tanh)
    assert len([line for line in ax.get_lines() if line.get_label().startswith("derivative")]) == 0
