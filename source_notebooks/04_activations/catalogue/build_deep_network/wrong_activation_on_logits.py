# Puts an activation after the output layer too, so the logits are squashed before the softmax
def build_deep_network(num_hidden_layers, hidden_dim, rng):
    layers = []
    input_dim = 64
    for output_dim in [hidden_dim] * num_hidden_layers + [10]:
        layers.append(AffineLayer(input_dim, output_dim, HeNormalInit(rng=rng), ConstantInit(0.0)))
        layers.append(MyActivationLayer())
        input_dim = output_dim
    return MultipleLayerModel(layers)
