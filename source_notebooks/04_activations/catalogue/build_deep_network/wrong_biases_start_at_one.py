# Initialises the hidden layers' biases to 1 instead of 0 (the network still trains)
def build_deep_network(num_hidden_layers, hidden_dim, rng):
    layers = []
    input_dim = 64
    for _ in range(num_hidden_layers):
        layers.append(AffineLayer(input_dim, hidden_dim, HeNormalInit(rng=rng), ConstantInit(1.0)))
        layers.append(MyActivationLayer())
        input_dim = hidden_dim
    layers.append(AffineLayer(input_dim, 10, GlorotNormalInit(rng=rng), ConstantInit(0.0)))
    return MultipleLayerModel(layers)
