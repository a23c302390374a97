"""Specification of the strided-window helpers behind convolution and pooling."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp.layers.windows import (
    add_columns_to_images,
    image_columns,
    offset_slices,
    output_length,
    pad_channel_major,
    sliding_windows,
    window_offsets,
)


@st.composite
def window_geometry(draw):
    """(batch, channels, height, width, window_height, window_width, stride, padding) with a window that fits."""
    padding = draw(st.integers(0, 2))
    height, width = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    window_height = draw(st.integers(1, height + 2 * padding))
    window_width = draw(st.integers(1, width + 2 * padding))
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), height, width, window_height, window_width,
            draw(st.integers(1, 3)), padding)


def count_positions(length, window, stride, padding):
    """Window positions along one axis, counted one by one."""
    return sum(1 for start in range(0, length + 2 * padding, stride) if start + window <= length + 2 * padding)


@given(st.integers(1, 20), st.integers(1, 20), st.integers(1, 4), st.integers(0, 3))
def test_output_length_counts_the_window_positions(length, window, stride, padding):
    expected = count_positions(length, window, stride, padding)
    assert max(output_length(length, window, stride, padding), 0) == expected


def test_output_length_of_the_usual_cases():
    assert output_length(28, 5) == 24
    assert output_length(14, 3, stride=1, padding=1) == 14
    assert output_length(7, 3, stride=2, padding=1) == 4
    assert output_length(5, 2, stride=2) == 2  # the last column is left over


def test_window_offsets_are_row_major():
    assert list(window_offsets(2, 3)) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]


@given(window_geometry())
def test_offset_slices_pick_the_pixel_at_that_offset_of_every_window(geometry):
    _, _, height, width, window_height, window_width, stride, padding = geometry
    padded_height, padded_width = height + 2 * padding, width + 2 * padding
    image = np.arange(padded_height * padded_width).reshape(padded_height, padded_width)
    out_height = output_length(height, window_height, stride, padding)
    out_width = output_length(width, window_width, stride, padding)
    for offset_row, offset_col in window_offsets(window_height, window_width):
        rows, cols = offset_slices(offset_row, offset_col, out_height, out_width, stride)
        picked = image[rows, cols]
        assert picked.shape == (out_height, out_width)
        for i in range(out_height):
            for j in range(out_width):
                assert picked[i, j] == image[i * stride + offset_row, j * stride + offset_col]


@given(window_geometry())
def test_sliding_windows_hold_every_window(geometry):
    batch, channels, height, width, window_height, window_width, stride, _ = geometry
    if window_height > height or window_width > width:
        return  # sliding_windows sees no padding
    images = np.random.default_rng(0).standard_normal((batch, channels, height, width))
    windows = sliding_windows(images, window_height, window_width, stride)
    out_height, out_width = output_length(height, window_height, stride), output_length(width, window_width, stride)
    assert windows.shape == (batch, channels, out_height, out_width, window_height, window_width)
    for i in range(out_height):
        for j in range(out_width):
            expected = images[:, :, i * stride:i * stride + window_height, j * stride:j * stride + window_width]
            np.testing.assert_array_equal(windows[:, :, i, j], expected)


def test_sliding_windows_is_a_read_only_view_without_copy():
    images = np.arange(2 * 3 * 6 * 6, dtype=np.float64).reshape(2, 3, 6, 6)
    windows = sliding_windows(images, 3, 3, 2)
    assert np.shares_memory(windows, images)
    with pytest.raises(ValueError):
        windows[0, 0, 0, 0, 0, 0] = 1.0


def test_sliding_windows_work_on_non_contiguous_images():
    images = np.arange(4 * 2 * 5 * 5, dtype=np.float64).reshape(4, 2, 5, 5).transpose(1, 0, 3, 2)
    windows = sliding_windows(images, 2, 2, 1)
    np.testing.assert_array_equal(windows[1, 3, 2, 1], images[1, 3, 2:4, 1:3])


@given(window_geometry(), st.sampled_from([np.float32, np.float64]))
def test_pad_channel_major_is_zero_padding_with_channels_first(geometry, dtype):
    batch, channels, height, width, _, _, _, padding = geometry
    images = np.random.default_rng(1).standard_normal((batch, channels, height, width)).astype(dtype)
    padded = pad_channel_major(images, padding)
    expected = np.pad(images, ((0, 0), (0, 0), (padding, padding), (padding, padding))).transpose(1, 0, 2, 3)
    assert padded.dtype == dtype
    assert padded.flags.c_contiguous
    np.testing.assert_array_equal(padded, expected)


@given(window_geometry(), st.booleans())
def test_image_columns_hold_each_window_as_a_column(geometry, ones_row):
    batch, channels, height, width, kernel_height, kernel_width, stride, padding = geometry
    images = np.random.default_rng(2).standard_normal((batch, channels, height, width))
    padded = np.pad(images, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    columns = image_columns(pad_channel_major(images, padding), kernel_height, kernel_width, stride, ones_row)
    out_height = output_length(height, kernel_height, stride, padding)
    out_width = output_length(width, kernel_width, stride, padding)
    num_rows = channels * kernel_height * kernel_width
    assert columns.shape == (num_rows + ones_row, batch * out_height * out_width)
    for b in range(batch):
        for i in range(out_height):
            for j in range(out_width):
                column = columns[:num_rows, (b * out_height + i) * out_width + j]
                window = padded[b, :, i * stride:i * stride + kernel_height, j * stride:j * stride + kernel_width]
                np.testing.assert_array_equal(column, window.reshape(-1))
    if ones_row:
        np.testing.assert_array_equal(columns[-1], 1.0)


def test_image_columns_of_a_small_image_by_hand():
    image = np.arange(1, 10, dtype=np.float64).reshape(1, 1, 3, 3)  # [[1,2,3],[4,5,6],[7,8,9]]
    columns = image_columns(pad_channel_major(image, 0), 2, 2, 1)
    expected = np.array([[1, 2, 4, 5],   # top-left pixel of each window
                         [2, 3, 5, 6],   # top-right
                         [4, 5, 7, 8],   # bottom-left
                         [5, 6, 8, 9]])  # bottom-right
    np.testing.assert_array_equal(columns, expected)


def test_add_columns_of_ones_counts_how_many_windows_cover_each_pixel():
    columns = np.ones((4, 4))  # 1 channel, 2x2 windows, 1 image, 2x2 positions
    counts = add_columns_to_images(columns, (1, 1, 3, 3), 2, 2, 1)
    np.testing.assert_array_equal(counts[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


@given(window_geometry(), st.integers(0, 2**16))
def test_add_columns_to_images_is_the_adjoint_of_image_columns(geometry, seed):
    # <im2col(x), y> == <x, col2im(y)> for all x, y: what back-propagation through im2col needs
    batch, channels, height, width, kernel_height, kernel_width, stride, padding = geometry
    rng = np.random.default_rng(seed)
    padded_shape = (channels, batch, height + 2 * padding, width + 2 * padding)
    padded = rng.standard_normal(padded_shape)
    columns = image_columns(padded, kernel_height, kernel_width, stride)
    other = rng.standard_normal(columns.shape)
    back = add_columns_to_images(other, padded_shape, kernel_height, kernel_width, stride)
    assert back.shape == padded_shape
    np.testing.assert_allclose(np.sum(columns * other), np.sum(padded * back), rtol=1e-10, atol=1e-10)


def test_pad_and_image_columns_can_write_into_given_arrays():
    images = np.random.default_rng(3).standard_normal((2, 3, 4, 5)).astype(np.float32)
    padded_out = np.empty((3, 2, 6, 7), dtype=np.float32)
    padded_out.fill(np.nan)  # the padding must be written too, not assumed zero
    padded = pad_channel_major(images, 1, out=padded_out)
    assert padded is padded_out
    np.testing.assert_array_equal(padded, pad_channel_major(images, 1))
    columns_out = np.full((3 * 2 * 2 + 1, 2 * 5 * 6), np.nan, dtype=np.float32)
    columns = image_columns(padded, 2, 2, 1, ones_row=True, out=columns_out)
    assert columns is columns_out
    np.testing.assert_array_equal(columns, image_columns(padded, 2, 2, 1, ones_row=True))


@pytest.mark.parametrize("out", [np.empty((3, 2, 6, 6)), np.empty((3, 2, 6, 7), dtype=np.float32),
                                 np.empty((3, 2, 7, 6)).transpose(0, 1, 3, 2)])
def test_pad_channel_major_rejects_an_unsuitable_out_array(out):
    with pytest.raises(ValueError, match=r"expected out to be a C-contiguous array of shape \(3, 2, 6, 7\)"):
        pad_channel_major(np.zeros((2, 3, 4, 5)), 1, out=out)
