# Initialises the kernels to zero: every kernel stays identical and, behind the ReLU, never receives a gradient.
def build_cnn(rng):
    return MultipleLayerModel([
        ConvLayer(1, 16, 3, ConstantInit(0.0)),
        ReluLayer(),
        MaxPoolLayer(2),
        ReshapeLayer(),
        AffineLayer(144, 10, GlorotUniformInit(rng=rng), ConstantInit(0.0)),
    ])
