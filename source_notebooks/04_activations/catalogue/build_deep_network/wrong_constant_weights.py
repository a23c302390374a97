# Starts every weight at the same value 0.1, so the units of each layer stay identical (no symmetry breaking)
def build_deep_network(num_hidden_layers, hidden_dim, rng):
    layers = []
    input_dim = 64
    for _ in range(num_hidden_layers):
        layers.append(AffineLayer(input_dim, hidden_dim, ConstantInit(0.1), ConstantInit(0.0)))
        layers.append(MyActivationLayer())
        input_dim = hidden_dim
    layers.append(AffineLayer(input_dim, 10, GlorotNormalInit(rng=rng), ConstantInit(0.0)))
    return MultipleLayerModel(layers)
