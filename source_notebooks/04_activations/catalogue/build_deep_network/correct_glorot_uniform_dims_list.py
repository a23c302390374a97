# Builds the layers from a list of widths, with Glorot uniform weights throughout
from mlp.initialisers import GlorotUniformInit


def build_deep_network(num_hidden_layers, hidden_dim, rng):
    widths = [64] + [hidden_dim] * num_hidden_layers
    layers = []
    for input_dim, output_dim in zip(widths[:-1], widths[1:], strict=True):
        layers += [AffineLayer(input_dim, output_dim, GlorotUniformInit(rng=rng), ConstantInit(0.0)),
                   MyActivationLayer()]
    layers.append(AffineLayer(widths[-1], 10, GlorotUniformInit(rng=rng), ConstantInit(0.0)))
    return MultipleLayerModel(layers)

