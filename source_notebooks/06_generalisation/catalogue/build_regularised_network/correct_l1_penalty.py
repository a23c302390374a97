# An L1 penalty on both weight matrices
def build_regularised_network(rng):
    penalty = L1Penalty(1e-3)
    return MultipleLayerModel([
        AffineLayer(64, 200, HeNormalInit(rng=rng), ConstantInit(0.0), weights_penalty=penalty),
        ReluLayer(),
        AffineLayer(200, 10, GlorotUniformInit(rng=rng), ConstantInit(0.0), weights_penalty=penalty),
    ])
