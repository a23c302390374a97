# No regularisation at all: the plain network of the lesson
def build_regularised_network(rng):
    return MultipleLayerModel([
        AffineLayer(64, 200, HeNormalInit(rng=rng), ConstantInit(0.0)),
        ReluLayer(),
        AffineLayer(200, 10, GlorotUniformInit(rng=rng), ConstantInit(0.0)),
    ])
