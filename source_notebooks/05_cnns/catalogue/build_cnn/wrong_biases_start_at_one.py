# Starts the affine layer's biases at 1 instead of 0 (the same for every class, so accuracy does not change)
def build_cnn(rng):
    return MultipleLayerModel([
        ConvLayer(1, 16, 3, HeNormalInit(rng=rng)),
        ReluLayer(),
        MaxPoolLayer(2),
        ReshapeLayer(),
        AffineLayer(144, 10, GlorotUniformInit(rng=rng), ConstantInit(1.0)),
    ])
