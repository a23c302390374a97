# Gives every hidden layer 64 inputs: right only when hidden_dim happens to be 64
def build_deep_network(num_hidden_layers, hidden_dim, rng):
    layers = []
    for _ in range(num_hidden_layers):
        layers.append(AffineLayer(64, hidden_dim, HeNormalInit(rng=rng), ConstantInit(0.0)))
        layers.append(MyActivationLayer())
    layers.append(AffineLayer(hidden_dim, 10, GlorotNormalInit(rng=rng), ConstantInit(0.0)))
    return MultipleLayerModel(layers)
