# No pooling at all: 8 kernels of 3x3, ReLU, and an affine layer on all 8 x 6 x 6 = 288 feature-map values.
def build_cnn(rng):
    layers = [
        ConvLayer(1, 8, 3, HeNormalInit(rng=rng)),
        ReluLayer(),
        ReshapeLayer(),
        AffineLayer(8 * 6 * 6, 10, GlorotUniformInit(rng=rng), ConstantInit(0.0)),
    ]
    return MultipleLayerModel(layers)
