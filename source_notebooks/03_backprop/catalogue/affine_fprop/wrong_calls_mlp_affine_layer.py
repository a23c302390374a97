# Calls mlp's reference AffineLayer instead of computing the product (the own-work guard must catch it)
def affine_fprop(inputs, weights, biases):
    from mlp.initialisers import ConstantInit
    from mlp.layers import AffineLayer

    layer = AffineLayer(weights.shape[1], weights.shape[0], ConstantInit(0.0), ConstantInit(0.0))
    layer.params = [weights, biases]
    return layer.fprop(inputs)
