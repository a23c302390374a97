"""Shared by the ConvolutionalLayer tests: a naive loop to compare with, random layers, a small layer."""

import numpy as np
from hypothesis import strategies as st

from mlp.layers import ConvolutionalLayer


def naive_cross_correlation(inputs, kernels, biases, stride, padding):
    """y[n, o, i, j] = b[o] + sum_{c, di, dj} K[o, c, di, dj] x_padded[n, c, i*s + di, j*s + dj], entry by entry."""
    batch, channels, height, width = inputs.shape
    out_channels, _, kernel_height, kernel_width = kernels.shape
    padded = np.zeros((batch, channels, height + 2 * padding, width + 2 * padding))
    padded[:, :, padding:padding + height, padding:padding + width] = inputs
    out_height = (height + 2 * padding - kernel_height) // stride + 1
    out_width = (width + 2 * padding - kernel_width) // stride + 1
    outputs = np.zeros((batch, out_channels, out_height, out_width))
    for n in range(batch):
        for o in range(out_channels):
            for i in range(out_height):
                for j in range(out_width):
                    total = biases[o]
                    for c in range(channels):
                        for di in range(kernel_height):
                            for dj in range(kernel_width):
                                total += kernels[o, c, di, dj] * padded[n, c, i * stride + di, j * stride + dj]
                    outputs[n, o, i, j] = total
    return outputs


@st.composite
def conv_setups(draw, max_size=6):
    """A layer (random kernels and biases) and matching inputs, all tiny."""
    padding = draw(st.integers(0, 2))
    stride = draw(st.integers(1, 3))
    height, width = draw(st.integers(1, max_size)), draw(st.integers(1, max_size))
    kernel_height = draw(st.integers(1, min(4, height + 2 * padding)))
    kernel_width = draw(st.integers(1, min(4, width + 2 * padding)))
    batch, in_channels, out_channels = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    layer = ConvolutionalLayer(in_channels, out_channels, height, width, kernel_height, kernel_width,
                               kernels_init=lambda shape: rng.standard_normal(shape),
                               biases_init=lambda shape: rng.standard_normal(shape),
                               stride=stride, padding=padding)
    inputs = rng.standard_normal((batch, in_channels, height, width))
    return layer, inputs


def make_layer(**overrides):
    arguments = dict(num_input_channels=2, num_output_channels=3, input_height=5, input_width=6, kernel_height=3,
                     kernel_width=2)
    arguments.update(overrides)
    return ConvolutionalLayer(**arguments)
