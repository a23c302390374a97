# Seeds a fresh generator with a fixed number for every layer instead of drawing from rng: all hidden layers start equal
import numpy as np


def build_deep_network(num_hidden_layers, hidden_dim, rng):
    layers = []
    input_dim = 64
    for _ in range(num_hidden_layers):
        layers.append(AffineLayer(input_dim, hidden_dim, HeNormalInit(rng=np.random.default_rng(0)), ConstantInit(0.0)))
        layers.append(MyActivationLayer())
        input_dim = hidden_dim
    layers.append(AffineLayer(input_dim, 10, GlorotNormalInit(rng=rng), ConstantInit(0.0)))
    return MultipleLayerModel(layers)
