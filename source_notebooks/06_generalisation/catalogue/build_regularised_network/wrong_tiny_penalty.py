# A penalty too weak to matter
def build_regularised_network(rng):
    penalty = L2Penalty(1e-5)
    return MultipleLayerModel([
        AffineLayer(64, 200, HeNormalInit(rng=rng), ConstantInit(0.0), weights_penalty=penalty),
        ReluLayer(),
        AffineLayer(200, 10, GlorotUniformInit(rng=rng), ConstantInit(0.0), weights_penalty=penalty),
    ])
