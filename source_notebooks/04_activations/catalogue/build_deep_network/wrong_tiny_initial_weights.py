# Initialises every weight with standard deviation 0.01, so signals shrink to almost nothing through ten layers
def build_deep_network(num_hidden_layers, hidden_dim, rng):
    layers = []
    input_dim = 64
    for _ in range(num_hidden_layers):
        layers.append(AffineLayer(input_dim, hidden_dim, NormalInit(0.0, 0.01, rng=rng), ConstantInit(0.0)))
        layers.append(MyActivationLayer())
        input_dim = hidden_dim
    layers.append(AffineLayer(input_dim, 10, NormalInit(0.0, 0.01, rng=rng), ConstantInit(0.0)))
    return MultipleLayerModel(layers)
