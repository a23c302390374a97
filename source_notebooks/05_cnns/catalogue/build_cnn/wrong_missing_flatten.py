# Forgets the ReshapeLayer, so the affine layer receives 4-D feature maps instead of vectors.
def build_cnn(rng):
    return MultipleLayerModel([
        ConvLayer(1, 16, 3, HeNormalInit(rng=rng)),
        ReluLayer(),
        MaxPoolLayer(2),
        AffineLayer(144, 10, GlorotUniformInit(rng=rng), ConstantInit(0.0)),
    ])
