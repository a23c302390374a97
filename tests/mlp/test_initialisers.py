"""mlp.initialisers: shapes and dtypes, the distributions' statistics, seeding, and argument checks."""

import math

import numpy as np
import pytest

from mlp.initialisers import (
    ConstantInit,
    GlorotNormalInit,
    GlorotUniformInit,
    HeNormalInit,
    HeUniformInit,
    NormalInit,
    UniformInit,
    fan_in_and_fan_out,
)

RANDOM_INITIALISER_CLASSES = [UniformInit, NormalInit, GlorotUniformInit, GlorotNormalInit, HeNormalInit, HeUniformInit]
FAN_INITIALISER_CLASSES = [GlorotUniformInit, GlorotNormalInit, HeNormalInit, HeUniformInit]
ALL_INITIALISERS = [ConstantInit(0.5)] + [cls(rng=0) for cls in RANDOM_INITIALISER_CLASSES]


# Shape and dtype ---------------------------------------------------------------------------------


@pytest.mark.parametrize("initialiser", ALL_INITIALISERS, ids=repr)
@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_returns_an_array_of_the_requested_shape_and_dtype(initialiser, shape, dtype):
    array = initialiser(shape, dtype=dtype)
    assert isinstance(array, np.ndarray)
    assert array.shape == shape
    assert array.dtype == dtype


@pytest.mark.parametrize("initialiser", ALL_INITIALISERS, ids=repr)
def test_default_dtype_is_float64(initialiser):
    assert initialiser((2, 3)).dtype == np.float64


@pytest.mark.parametrize("initialiser", [ConstantInit(), UniformInit(rng=0), NormalInit(rng=0)], ids=repr)
def test_non_fan_initialisers_also_make_biases(initialiser):
    assert initialiser((7,)).shape == (7,)


# Statistics of large draws -------------------------------------------------------------------------


def test_constant_init_fills_every_entry_with_the_value():
    np.testing.assert_array_equal(ConstantInit(-2.5)((3, 4)), np.full((3, 4), -2.5))
    np.testing.assert_array_equal(ConstantInit()((5,)), np.zeros(5))


def test_uniform_init_draws_from_the_interval_with_uniform_mean_and_std():
    draw = UniformInit(low=-0.3, high=0.5, rng=1)((400, 250))
    assert draw.min() >= -0.3 and draw.max() < 0.5
    assert draw.min() < -0.29 and draw.max() > 0.49  # the whole interval is used
    assert draw.mean() == pytest.approx(0.1, abs=0.005)
    assert draw.std() == pytest.approx(0.8 / math.sqrt(12), rel=0.02)


def test_normal_init_has_the_given_mean_and_std():
    draw = NormalInit(mean=1.0, std=2.0, rng=1)((400, 250))
    assert draw.mean() == pytest.approx(1.0, abs=0.03)
    assert draw.std() == pytest.approx(2.0, rel=0.02)


@pytest.mark.parametrize(
    ("shape", "fan_in", "fan_out"),
    [((300, 200), 200, 300), ((64, 16, 3, 3), 144, 576), ((8, 3, 5), 15, 40), ((1, 1), 1, 1)],
)
def test_fans_follow_the_affine_and_convolution_layouts(shape, fan_in, fan_out):
    assert fan_in_and_fan_out(shape) == (fan_in, fan_out)


@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_glorot_uniform_limit_is_gain_times_sqrt_6_over_fan_in_plus_fan_out(gain):
    draw = GlorotUniformInit(gain=gain, rng=2)((300, 200))
    limit = gain * math.sqrt(6 / 500)
    assert np.abs(draw).max() <= limit
    assert np.abs(draw).max() > 0.99 * limit
    assert draw.mean() == pytest.approx(0.0, abs=0.01 * limit)
    assert draw.std() == pytest.approx(limit / math.sqrt(3), rel=0.02)


@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_glorot_normal_std_is_gain_times_sqrt_2_over_fan_in_plus_fan_out(gain):
    draw = GlorotNormalInit(gain=gain, rng=2)((300, 200))
    std = gain * math.sqrt(2 / 500)
    assert draw.mean() == pytest.approx(0.0, abs=0.01 * std)
    assert draw.std() == pytest.approx(std, rel=0.02)


@pytest.mark.parametrize("gain", [1.0, math.sqrt(0.5)])
def test_he_normal_std_is_gain_times_sqrt_2_over_fan_in(gain):
    draw = HeNormalInit(gain=gain, rng=3)((300, 200))
    std = gain * math.sqrt(2 / 200)
    assert draw.mean() == pytest.approx(0.0, abs=0.01 * std)
    assert draw.std() == pytest.approx(std, rel=0.02)


@pytest.mark.parametrize("gain", [1.0, math.sqrt(0.5)])
def test_he_uniform_limit_is_gain_times_sqrt_6_over_fan_in(gain):
    draw = HeUniformInit(gain=gain, rng=3)((300, 200))
    limit = gain * math.sqrt(6 / 200)
    assert np.abs(draw).max() <= limit
    assert np.abs(draw).max() > 0.99 * limit
    assert draw.std() == pytest.approx(limit / math.sqrt(3), rel=0.02)


def test_convolution_kernels_use_receptive_field_fans():
    shape = (128, 32, 5, 5)  # fan_in = 32 * 25 = 800, fan_out = 128 * 25 = 3200
    assert GlorotNormalInit(rng=4)(shape).std() == pytest.approx(math.sqrt(2 / 4000), rel=0.02)
    assert HeNormalInit(rng=4)(shape).std() == pytest.approx(math.sqrt(2 / 800), rel=0.02)
    assert np.abs(HeUniformInit(rng=4)(shape)).max() <= math.sqrt(6 / 800)
    assert np.abs(GlorotUniformInit(rng=4)(shape)).max() <= math.sqrt(6 / 4000)


def test_float32_draws_have_the_same_distribution():
    draw = HeNormalInit(rng=5)((300, 200), dtype=np.float32)
    assert draw.dtype == np.float32
    assert float(draw.std()) == pytest.approx(math.sqrt(2 / 200), rel=0.02)


# Seeding ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", RANDOM_INITIALISER_CLASSES, ids=lambda cls: cls.__name__)
def test_same_seed_gives_the_same_array(cls):
    np.testing.assert_array_equal(cls(rng=7)((6, 5)), cls(rng=7)((6, 5)))


@pytest.mark.parametrize("cls", RANDOM_INITIALISER_CLASSES, ids=lambda cls: cls.__name__)
def test_different_seeds_give_different_arrays(cls):
    assert not np.array_equal(cls(rng=7)((6, 5)), cls(rng=8)((6, 5)))


@pytest.mark.parametrize("cls", RANDOM_INITIALISER_CLASSES, ids=lambda cls: cls.__name__)
def test_no_rng_means_seed_zero(cls):
    np.testing.assert_array_equal(cls()((6, 5)), cls(rng=0)((6, 5)))


@pytest.mark.parametrize("cls", RANDOM_INITIALISER_CLASSES, ids=lambda cls: cls.__name__)
def test_successive_calls_draw_fresh_numbers(cls):
    initialiser = cls(rng=7)
    assert not np.array_equal(initialiser((6, 5)), initialiser((6, 5)))


@pytest.mark.parametrize("rng_factory", [np.random.default_rng, np.random.RandomState],
                         ids=["Generator", "RandomState"])
def test_generators_and_random_states_are_used_as_given(rng_factory):
    first = UniformInit(rng=rng_factory(11))((4, 3))
    second = UniformInit(rng=rng_factory(11))((4, 3))
    np.testing.assert_array_equal(first, second)
    assert np.all((first >= -0.1) & (first < 0.1))


def test_the_global_random_state_is_not_used():
    _, keys_before, position_before, *_ = np.random.get_state()  # noqa: NPY002 - inspected, not used
    GlorotUniformInit()((10, 10))
    NormalInit(rng=3)((10, 10))
    _, keys_after, position_after, *_ = np.random.get_state()  # noqa: NPY002
    np.testing.assert_array_equal(keys_after, keys_before)
    assert position_after == position_before


# Bad arguments --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: UniformInit(low=0.5, high=0.5), r"UniformInit.*low < high"),
        (lambda: UniformInit(low=1.0, high=-1.0), r"UniformInit.*low < high"),
        (lambda: NormalInit(std=0.0), r"NormalInit.*std"),
        (lambda: NormalInit(std=-1.0), r"NormalInit.*std"),
        (lambda: GlorotUniformInit(gain=0.0), r"GlorotUniformInit.*gain"),
        (lambda: HeNormalInit(gain=-2.0), r"HeNormalInit.*gain"),
        (lambda: ConstantInit(float("nan")), r"ConstantInit.*finite"),
    ],
)
def test_bad_arguments_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_non_numeric_arguments_and_rngs_raise_type_error():
    with pytest.raises(TypeError, match="NormalInit.*std"):
        NormalInit(std="1")
    with pytest.raises(TypeError, match="UniformInit.*rng"):
        UniformInit(rng="seed")


@pytest.mark.parametrize("shape", [(0, 3), (3, -1), ()])
def test_shapes_with_non_positive_sizes_raise_value_error(shape):
    with pytest.raises(ValueError, match=r"NormalInit.*shape.*positive integers"):
        NormalInit(rng=0)(shape)


@pytest.mark.parametrize("shape", [(2.0, 3), "3x4", None, (True, 2)])
def test_shapes_that_are_not_tuples_of_ints_raise_type_error(shape):
    with pytest.raises(TypeError, match=r"UniformInit.*shape"):
        UniformInit(rng=0)(shape)


@pytest.mark.parametrize("cls", FAN_INITIALISER_CLASSES, ids=lambda cls: cls.__name__)
def test_fan_based_initialisers_need_at_least_two_dimensions(cls):
    with pytest.raises(ValueError, match=rf"{cls.__name__}.*at least 2 dimensions.*\(5,\)"):
        cls(rng=0)((5,))


@pytest.mark.parametrize("dtype", [np.int64, np.complex128, "not a dtype"])
def test_non_float_dtypes_raise_type_error(dtype):
    with pytest.raises(TypeError, match=r"ConstantInit.*float32 or float64"):
        ConstantInit()((2, 2), dtype=dtype)


def test_reprs_show_the_constructor_arguments():
    assert repr(ConstantInit(0.1)) == "ConstantInit(value=0.1)"
    assert repr(UniformInit(-0.2, 0.3, rng=5)) == "UniformInit(low=-0.2, high=0.3, rng=5)"
    assert repr(NormalInit(0.0, 0.5)) == "NormalInit(mean=0.0, std=0.5, rng=None)"
    assert repr(GlorotUniformInit(gain=2.0, rng=1)) == "GlorotUniformInit(gain=2.0, rng=1)"
    assert repr(HeNormalInit()) == "HeNormalInit(gain=1.0, rng=None)"
