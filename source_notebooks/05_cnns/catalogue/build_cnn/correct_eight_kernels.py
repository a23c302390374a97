# The smaller design the lesson invites: 8 kernels of 3x3, ReLU, 2x2 max pooling, one affine layer (about 0.97)
def build_cnn(rng):
    return MultipleLayerModel([
        ConvLayer(1, 8, 3, HeNormalInit(rng=rng)),
        ReluLayer(),
        MaxPoolLayer(2),
        ReshapeLayer(),
        AffineLayer(8 * 3 * 3, 10, GlorotUniformInit(rng=rng), ConstantInit(0.0)),
    ])
