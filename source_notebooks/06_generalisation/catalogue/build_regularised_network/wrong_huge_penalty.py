# A penalty so strong that the network cannot fit the data: a small gap, but poor accuracy
def build_regularised_network(rng):
    penalty = L2Penalty(0.3)
    return MultipleLayerModel([
        AffineLayer(64, 200, HeNormalInit(rng=rng), ConstantInit(0.0), weights_penalty=penalty),
        ReluLayer(),
        AffineLayer(200, 10, GlorotUniformInit(rng=rng), ConstantInit(0.0), weights_penalty=penalty),
    ])
