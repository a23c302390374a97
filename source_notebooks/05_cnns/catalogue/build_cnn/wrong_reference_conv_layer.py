# Uses mlp's ConvolutionalLayer instead of the ConvLayer built from the student's own functions.
from mlp.layers import ConvolutionalLayer


def build_cnn(rng):
    return MultipleLayerModel([
        ConvolutionalLayer(1, 16, 8, 8, 3, 3, HeNormalInit(rng=rng), ConstantInit(0.0)),
        ReluLayer(),
        MaxPoolLayer(2),
        ReshapeLayer(),
        AffineLayer(144, 10, GlorotUniformInit(rng=rng), ConstantInit(0.0)),
    ])
