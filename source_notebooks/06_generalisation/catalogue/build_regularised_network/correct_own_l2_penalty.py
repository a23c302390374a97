# The student's own MyL2Penalty of section 3, a little stronger
def build_regularised_network(rng):
    return MultipleLayerModel([
        AffineLayer(64, 200, HeNormalInit(rng=rng), ConstantInit(0.0), weights_penalty=MyL2Penalty(1e-2)),
        ReluLayer(),
        AffineLayer(200, 10, GlorotUniformInit(rng=rng), ConstantInit(0.0), weights_penalty=MyL2Penalty(1e-2)),
    ])
