# Ignores num_hidden_layers and builds a network with one hidden layer
def build_deep_network(num_hidden_layers, hidden_dim, rng):
    return MultipleLayerModel([
        AffineLayer(64, hidden_dim, HeNormalInit(rng=rng), ConstantInit(0.0)),
        MyActivationLayer(),
        AffineLayer(hidden_dim, 10, GlorotNormalInit(rng=rng), ConstantInit(0.0)),
    ])
