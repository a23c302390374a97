# Writes its own He initialiser (a function of the shape drawing from rng) instead of using mlp.initialisers
import numpy as np


def build_deep_network(num_hidden_layers, hidden_dim, rng):
    def he_normal(shape):
        fan_in = shape[1]
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)

    def zeros(shape):
        return np.zeros(shape)

    layers = [AffineLayer(64, hidden_dim, he_normal, zeros), MyActivationLayer()]
    for _ in range(num_hidden_layers - 1):
        layers += [AffineLayer(hidden_dim, hidden_dim, he_normal, zeros), MyActivationLayer()]
    layers.append(AffineLayer(hidden_dim, 10, he_normal, zeros))
    return MultipleLayerModel(layers)
