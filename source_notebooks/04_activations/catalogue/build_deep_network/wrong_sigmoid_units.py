# Uses SigmoidLayer instead of the student's activation
def build_deep_network(num_hidden_layers, hidden_dim, rng):
    layers = []
    input_dim = 64
    for _ in range(num_hidden_layers):
        layers.append(AffineLayer(input_dim, hidden_dim, GlorotNormalInit(rng=rng), ConstantInit(0.0)))
        layers.append(SigmoidLayer())
        input_dim = hidden_dim
    layers.append(AffineLayer(input_dim, 10, GlorotNormalInit(rng=rng), ConstantInit(0.0)))
    return MultipleLayerModel(layers)
