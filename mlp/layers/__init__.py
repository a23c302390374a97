"""Layers: each maps inputs to outputs (``fprop``) and gradients back (``bprop``).

Arrays are batch first: ``(batch_size, input_dim)`` for dense layers and
``(batch_size, channels, height, width)`` for convolution and pooling.
"""

from mlp.layers.activations import (
    ELULayer,
    LeakyReluLayer,
    ReluLayer,
    SELULayer,
    SigmoidLayer,
    SoftmaxLayer,
    SoftplusLayer,
    SoftsignLayer,
    TanhLayer,
)
from mlp.layers.affine import AffineLayer
from mlp.layers.base import Layer, LayerWithParameters, StochasticLayer, StochasticLayerWithParameters
from mlp.layers.batch_norm import BatchNormalizationLayer
from mlp.layers.convolution import ConvolutionalLayer
from mlp.layers.dropout import DropoutLayer
from mlp.layers.pooling import AvgPoolingLayer, MaxPoolingLayer
from mlp.layers.reshape import ReshapeLayer

__all__ = [
    "AffineLayer",
    "AvgPoolingLayer",
    "BatchNormalizationLayer",
    "ConvolutionalLayer",
    "DropoutLayer",
    "ELULayer",
    "Layer",
    "LayerWithParameters",
    "LeakyReluLayer",
    "MaxPoolingLayer",
    "ReluLayer",
    "ReshapeLayer",
    "SELULayer",
    "SigmoidLayer",
    "SoftmaxLayer",
    "SoftplusLayer",
    "SoftsignLayer",
    "StochasticLayer",
    "StochasticLayerWithParameters",
    "TanhLayer",
]
