"""Specification of ConvolutionalLayer: a cross-correlation with stride and padding."""

import copy
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp.gradcheck import check_layer
from mlp.layers import ConvolutionalLayer, LayerWithParameters
from tests.mlp.conv_cases import conv_setups, make_layer, naive_cross_correlation

# Forward pass --------------------------------------------------------------------------------

def test_fprop_of_a_3x3_image_with_a_2x2_kernel_by_hand():
    image = np.arange(1, 10, dtype=np.float64).reshape(1, 1, 3, 3)  # [[1,2,3],[4,5,6],[7,8,9]]
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    layer = ConvolutionalLayer(1, 1, 3, 3, 2, 2, kernels_init=lambda shape: kernel.copy(),
                               biases_init=lambda shape: np.array([0.5]))
    # top-left: 1*1 + 2*2 + 4*3 + 5*4 = 37; not flipped (a flipped kernel would give 23)
    np.testing.assert_allclose(layer.fprop(image), [[[[37.5, 47.5], [67.5, 77.5]]]])


def test_fprop_with_padding_and_stride_by_hand():
    image = np.arange(1, 10, dtype=np.float64).reshape(1, 1, 3, 3)
    layer = ConvolutionalLayer(1, 1, 3, 3, 2, 2, kernels_init=np.ones, biases_init=np.zeros, stride=2, padding=1)
    # padded 5x5 image, windows at rows/cols 0 and 2: they see {1}, {2,3}, {4,7}, {5,6,8,9}
    np.testing.assert_allclose(layer.fprop(image), [[[[1.0, 5.0], [11.0, 28.0]]]])


def test_fprop_sums_over_input_channels_and_keeps_output_channels_apart():
    image = np.stack([np.ones((2, 2)), 10 * np.ones((2, 2))])[None]  # (1, 2, 2, 2)
    kernels = np.zeros((2, 2, 1, 1))
    kernels[0, :, 0, 0] = [1.0, 1.0]   # channel sum
    kernels[1, :, 0, 0] = [0.0, -1.0]  # minus the second channel
    layer = ConvolutionalLayer(2, 2, 2, 2, 1, 1, kernels_init=lambda shape: kernels.copy())
    outputs = layer.fprop(image)
    np.testing.assert_allclose(outputs[0, 0], 11.0 * np.ones((2, 2)))
    np.testing.assert_allclose(outputs[0, 1], -10.0 * np.ones((2, 2)))


@given(conv_setups(), st.sampled_from([np.float32, np.float64]))
def test_fprop_matches_a_naive_loop(setup, dtype):
    layer, inputs = setup
    layer.params = [param.astype(dtype) for param in layer.params]
    outputs = layer.fprop(inputs.astype(dtype))
    expected = naive_cross_correlation(inputs.astype(dtype), layer.kernels, layer.biases, layer.stride,
                                       layer.padding)
    assert outputs.shape == expected.shape
    assert outputs.dtype == dtype
    tolerance = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(outputs, expected, rtol=tolerance, atol=tolerance)


def test_output_size_follows_the_formula():
    layer = ConvolutionalLayer(1, 4, 9, 8, 3, 2, stride=2, padding=1)
    outputs = layer.fprop(np.zeros((5, 1, 9, 8)))
    assert outputs.shape == (5, 4, (9 + 2 - 3) // 2 + 1, (8 + 2 - 2) // 2 + 1)


# Gradients ------------------------------------------------------------------------------------

@given(conv_setups(max_size=5))
def test_gradients_match_finite_differences(setup):
    layer, inputs = setup
    for report in check_layer(layer, inputs, seed=1):
        report.raise_if_failed()


def test_bprop_routes_each_output_gradient_to_its_window_by_hand():
    # one 2x2 output, 2x2 kernel [[1,2],[3,4]] on a 3x3 image; only output (0, 1) has gradient 1
    layer = ConvolutionalLayer(1, 1, 3, 3, 2, 2, kernels_init=lambda shape: np.arange(1.0, 5.0).reshape(shape))
    grads = np.zeros((1, 1, 2, 2))
    grads[0, 0, 0, 1] = 1.0
    inputs = np.zeros((1, 1, 3, 3))
    expected = np.array([[0.0, 1.0, 2.0], [0.0, 3.0, 4.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(layer.bprop(inputs, layer.fprop(inputs), grads)[0, 0], expected)


def test_grads_wrt_params_by_hand():
    image = np.arange(1, 10, dtype=np.float64).reshape(1, 1, 3, 3)
    layer = ConvolutionalLayer(1, 1, 3, 3, 2, 2)
    grads = np.ones((1, 1, 2, 2))
    grads_wrt_kernels, grads_wrt_biases = layer.grads_wrt_params(image, grads)
    # each kernel entry sees the 4 pixels it multiplies: e.g. top-left 1 + 2 + 4 + 5
    np.testing.assert_allclose(grads_wrt_kernels[0, 0], [[12.0, 16.0], [24.0, 28.0]])
    np.testing.assert_allclose(grads_wrt_biases, [4.0])


def test_grads_wrt_params_see_inputs_changed_in_place_after_fprop():
    rng = np.random.default_rng(3)
    layer = make_layer()
    inputs = rng.standard_normal((2, 2, 5, 6))
    grads = rng.standard_normal((2, 3, 3, 5))
    layer.fprop(inputs)
    inputs *= 2.0  # same array object, new values
    fresh = copy.deepcopy(layer)
    expected = ConvolutionalLayer(2, 3, 5, 6, 3, 2).grads_wrt_params(inputs.copy(), grads)
    for got, want in zip(layer.grads_wrt_params(inputs, grads), expected, strict=True):
        np.testing.assert_allclose(got, want)
    for got, want in zip(fresh.grads_wrt_params(inputs, grads), expected, strict=True):
        np.testing.assert_allclose(got, want)


def test_fprop_sees_inputs_changed_in_place_between_calls():
    rng = np.random.default_rng(12)
    layer = make_layer(padding=1, biases_init=lambda shape: rng.standard_normal(shape))
    inputs = rng.standard_normal((2, 2, 5, 6))
    layer.fprop(inputs)
    inputs[1, 0, 2, 3] += 5.0  # same array object, one new value
    expected = naive_cross_correlation(inputs, layer.kernels, layer.biases, 1, 1)
    np.testing.assert_allclose(layer.fprop(inputs), expected, rtol=1e-12, atol=1e-12)


def test_results_are_not_overwritten_by_later_calls():
    rng = np.random.default_rng(11)
    layer = make_layer(padding=1)
    first_inputs, second_inputs = rng.standard_normal((2, 2, 5, 6)), rng.standard_normal((2, 2, 5, 6))
    first_grads, second_grads = rng.standard_normal((2, 3, 5, 7)), rng.standard_normal((2, 3, 5, 7))
    first = [layer.fprop(first_inputs)]
    first += [layer.bprop(first_inputs, first[0], first_grads), *layer.grads_wrt_params(first_inputs, first_grads)]
    saved = [array.copy() for array in first]
    second_outputs = layer.fprop(second_inputs)
    layer.bprop(second_inputs, second_outputs, second_grads)
    layer.grads_wrt_params(second_inputs, second_grads)
    for array, copy_made_before in zip(first, saved, strict=True):
        np.testing.assert_array_equal(array, copy_made_before)


def test_grads_wrt_params_without_a_previous_fprop():
    rng = np.random.default_rng(4)
    inputs, grads = rng.standard_normal((2, 2, 5, 6)), rng.standard_normal((2, 3, 3, 5))
    after_fprop = make_layer()
    after_fprop.fprop(inputs)
    for got, want in zip(make_layer().grads_wrt_params(inputs, grads), after_fprop.grads_wrt_params(inputs, grads),
                         strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_grads_wrt_params_of_another_batch_than_the_last_fprop():
    rng = np.random.default_rng(5)
    first, second = rng.standard_normal((2, 2, 5, 6)), rng.standard_normal((4, 2, 5, 6))
    grads = rng.standard_normal((4, 3, 3, 5))
    layer = make_layer()
    layer.fprop(first)
    for got, want in zip(layer.grads_wrt_params(second, grads), make_layer().grads_wrt_params(second, grads),
                         strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_gradients_do_not_depend_on_the_memory_layout_of_grads_wrt_outputs():
    rng = np.random.default_rng(10)
    layer = make_layer(padding=1)
    inputs = rng.standard_normal((3, 2, 5, 6))
    outputs = layer.fprop(inputs)
    grads = rng.standard_normal(outputs.shape)
    layouts = [np.ascontiguousarray(grads),                                               # batch-major
               np.ascontiguousarray(grads.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3),  # channel-major
               np.asfortranarray(grads)]                                                  # anything else
    results = [[layer.bprop(inputs, outputs, layout), *layer.grads_wrt_params(inputs, layout)] for layout in layouts]
    for result in results[1:]:
        for got, want in zip(result, results[0], strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    expected = naive_cross_correlation(inputs, layer.kernels, layer.biases, 1, 1)
    np.testing.assert_allclose(outputs, expected, rtol=1e-12, atol=1e-12)


class ScaledSquarePenalty:
    """0.5 * coefficient * sum(param ** 2), a stand-in penalty with a known gradient."""

    def __init__(self, coefficient):
        self.coefficient = coefficient

    def __call__(self, param):
        return 0.5 * self.coefficient * np.sum(param ** 2)

    def grad(self, param):
        return self.coefficient * param

    def __repr__(self):
        return f"ScaledSquarePenalty({self.coefficient})"


def test_penalties_add_to_the_gradients_and_to_params_penalty():
    rng = np.random.default_rng(6)
    inputs, grads = rng.standard_normal((2, 2, 5, 6)), rng.standard_normal((2, 3, 3, 5))
    plain = make_layer(biases_init=lambda shape: rng.standard_normal(shape))
    penalised = make_layer(kernels_penalty=ScaledSquarePenalty(0.1), biases_penalty=ScaledSquarePenalty(0.2))
    penalised.params = [param.copy() for param in plain.params]
    base_kernels, base_biases = plain.grads_wrt_params(inputs, grads)
    got_kernels, got_biases = penalised.grads_wrt_params(inputs, grads)
    np.testing.assert_allclose(got_kernels, base_kernels + 0.1 * plain.kernels)
    np.testing.assert_allclose(got_biases, base_biases + 0.2 * plain.biases)
    expected_penalty = 0.05 * np.sum(plain.kernels ** 2) + 0.1 * np.sum(plain.biases ** 2)
    assert penalised.params_penalty() == pytest.approx(expected_penalty)
    assert plain.params_penalty() == 0.0


# Dtypes ---------------------------------------------------------------------------------------

class Float64Penalty(ScaledSquarePenalty):
    """A penalty whose gradient comes back in float64 whatever the parameter's dtype."""

    def grad(self, param):
        return self.coefficient * np.asarray(param, dtype=np.float64)


def test_penalised_float32_layer_keeps_float32_gradients():
    layer = make_layer(kernels_penalty=Float64Penalty(0.1), biases_penalty=Float64Penalty(0.1))
    layer.params = [param.astype(np.float32) for param in layer.params]
    inputs = np.ones((1, 2, 5, 6), dtype=np.float32)
    grads = layer.grads_wrt_params(inputs, np.ones((1, 3, 3, 5), dtype=np.float32))
    assert [grad.dtype for grad in grads] == [np.float32, np.float32]


def test_float32_stays_float32_everywhere():
    rng = np.random.default_rng(7)
    layer = make_layer(padding=1, stride=2)
    layer.params = [param.astype(np.float32) for param in layer.params]
    inputs = rng.standard_normal((2, 2, 5, 6)).astype(np.float32)
    outputs = layer.fprop(inputs)
    grads = rng.standard_normal(outputs.shape).astype(np.float32)
    assert outputs.dtype == np.float32
    assert layer.bprop(inputs, outputs, grads).dtype == np.float32
    assert [grad.dtype for grad in layer.grads_wrt_params(inputs, grads)] == [np.float32, np.float32]


def test_integer_inputs_are_accepted_as_float64():
    layer = make_layer()
    assert layer.fprop(np.ones((1, 2, 5, 6), dtype=int)).dtype == np.float64


# Parameters and construction ------------------------------------------------------------------

def test_params_are_kernels_then_biases_with_a_setter():
    layer = make_layer()
    assert isinstance(layer, LayerWithParameters)
    assert layer.param_names == ["kernels", "biases"]
    assert layer.params[0].shape == (3, 2, 3, 2) and layer.params[1].shape == (3,)
    new_kernels, new_biases = np.full((3, 2, 3, 2), 0.5), np.arange(3.0)
    layer.params = [new_kernels, new_biases]
    assert layer.kernels is new_kernels and layer.biases is new_biases


def test_params_setter_rejects_a_wrong_shape():
    layer = make_layer()
    with pytest.raises(ValueError, match=r"expected kernels of shape \(3, 2, 3, 2\), got an array of shape \(3, 2\)"):
        layer.params = [np.zeros((3, 2)), np.zeros(3)]


def test_default_initialisation_is_seeded_uniform_kernels_and_zero_biases():
    layer, again = make_layer(), make_layer()
    bound = 1.0 / np.sqrt(2 * 3 * 2)
    assert np.all(np.abs(layer.kernels) <= bound)
    assert np.std(layer.kernels) > 0.2 * bound
    np.testing.assert_array_equal(layer.kernels, again.kernels)
    np.testing.assert_array_equal(layer.biases, np.zeros(3))


def test_initialisers_are_called_with_the_parameter_shapes():
    shapes = []

    def record(shape):
        shapes.append(tuple(shape))
        return np.zeros(shape)

    make_layer(kernels_init=record, biases_init=record)
    assert shapes == [(3, 2, 3, 2), (3,)]


def test_repr_shows_the_arguments():
    text = repr(make_layer(stride=2, padding=1))
    assert text == ("ConvolutionalLayer(num_input_channels=2, num_output_channels=3, input_height=5, input_width=6, "
                    "kernel_height=3, kernel_width=2, stride=2, padding=1)")


def test_copies_and_pickles_compute_the_same():
    rng = np.random.default_rng(8)
    layer = make_layer()
    inputs, grads = rng.standard_normal((2, 2, 5, 6)), rng.standard_normal((2, 3, 3, 5))
    outputs = layer.fprop(inputs)
    for clone in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        np.testing.assert_array_equal(clone.fprop(inputs), outputs)
        for got, want in zip(clone.grads_wrt_params(inputs, grads), layer.grads_wrt_params(inputs, grads),
                             strict=True):
            np.testing.assert_array_equal(got, want)


# Bad input ------------------------------------------------------------------------------------

def test_inputs_with_the_wrong_number_of_channels_are_rejected_with_a_clear_message():
    layer = make_layer()
    with pytest.raises(ValueError, match=r"ConvolutionalLayer\(num_input_channels=2.*\): expected inputs of shape "
                                         r"\(batch_size, 2, 5, 6\), got an array of shape \(4, 3, 5, 6\)"):
        layer.fprop(np.zeros((4, 3, 5, 6)))


@pytest.mark.parametrize("shape", [(2, 5, 6), (4, 2, 5, 7), (4, 2, 6, 6), (1, 4, 2, 5, 6)])
def test_inputs_of_the_wrong_shape_are_rejected(shape):
    with pytest.raises(ValueError, match=rf"expected inputs of shape \(batch_size, 2, 5, 6\), "
                                         rf"got an array of shape \({', '.join(map(str, shape))}\)"):
        make_layer().fprop(np.zeros(shape))


def test_non_numeric_inputs_are_rejected():
    with pytest.raises(TypeError, match=r"ConvolutionalLayer\(.*\): expected inputs"):
        make_layer().fprop(np.full((1, 2, 5, 6), "a"))


def test_grads_wrt_outputs_of_the_wrong_shape_are_rejected():
    layer = make_layer()
    inputs = np.zeros((2, 2, 5, 6))
    outputs = layer.fprop(inputs)
    with pytest.raises(ValueError, match="grads_wrt_outputs"):
        layer.bprop(inputs, outputs, np.zeros((2, 3, 3, 4)))
    with pytest.raises(ValueError, match=r"expected grads_wrt_outputs of shape \(2, 3, 3, 5\), "
                                         r"got an array of shape \(2, 3, 5, 3\)"):
        layer.grads_wrt_params(inputs, np.zeros((2, 3, 5, 3)))


@pytest.mark.parametrize(("overrides", "error", "message"), [
    ({"num_input_channels": 0}, ValueError, "num_input_channels to be a positive integer, got 0"),
    ({"num_output_channels": 2.5}, TypeError, "num_output_channels to be a positive integer"),
    ({"input_height": -1}, ValueError, "input_height to be a positive integer, got -1"),
    ({"kernel_width": 0}, ValueError, "kernel_width to be a positive integer, got 0"),
    ({"stride": 0}, ValueError, "stride to be a positive integer, got 0"),
    ({"padding": -1}, ValueError, "padding to be a non-negative integer, got -1"),
    ({"padding": True}, TypeError, "padding to be a non-negative integer"),
    ({"kernel_height": 6}, ValueError, r"kernel_height to be at most the padded input size 5 \+ 2 \* 0 = 5, got 6"),
    ({"kernel_width": 9, "padding": 1}, ValueError, "kernel_width to be at most the padded input size .* = 8, got 9"),
    ({"kernels_init": lambda shape: np.zeros((2, 2))}, ValueError, r"expected kernels from kernels_init of shape"),
    ({"kernels_penalty": 0.1}, TypeError, "kernels_penalty to be None or a penalty with __call__"),
])
def test_bad_constructor_arguments_are_rejected(overrides, error, message):
    with pytest.raises(error, match=message):
        make_layer(**overrides)


def test_a_kernel_that_fits_only_thanks_to_padding_is_accepted():
    layer = make_layer(kernel_height=7, padding=1)
    assert layer.fprop(np.zeros((1, 2, 5, 6))).shape == (1, 3, 1, 7)  # (5 + 2 - 7) + 1, (6 + 2 - 2) + 1


# Optional cross-check against PyTorch --------------------------------------------------------

@given(conv_setups())
def test_matches_pytorch_when_it_is_installed(setup):
    torch = pytest.importorskip("torch")
    layer, inputs = setup
    outputs = layer.fprop(inputs)
    grads = np.random.default_rng(9).standard_normal(outputs.shape)
    torch_inputs = torch.from_numpy(inputs).requires_grad_(True)
    torch_kernels = torch.from_numpy(layer.kernels).requires_grad_(True)
    torch_biases = torch.from_numpy(layer.biases).requires_grad_(True)
    torch_outputs = torch.nn.functional.conv2d(torch_inputs, torch_kernels, torch_biases, stride=layer.stride,
                                               padding=layer.padding)
    expected = [torch_outputs.detach(), *torch.autograd.grad(torch_outputs, (torch_inputs, torch_kernels,
                                                                             torch_biases), torch.from_numpy(grads))]
    got = [outputs, layer.bprop(inputs, outputs, grads), *layer.grads_wrt_params(inputs, grads)]
    for mine, theirs in zip(got, expected, strict=True):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-10, atol=1e-10)
