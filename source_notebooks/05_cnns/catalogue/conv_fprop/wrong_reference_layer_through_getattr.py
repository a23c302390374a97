# Reaches mlp's ConvolutionalLayer through importlib and getattr, so no source text names it (the own-work guard must catch it)
def conv_fprop(inputs, kernels, biases):
    import importlib

    layers = importlib.import_module("mlp." + "layers")
    reference_class = getattr(layers, "Convolutional" + "Layer")
    initialisers = importlib.import_module("mlp.initialisers")
    zero = initialisers.ConstantInit(0.0)
    layer = reference_class(kernels.shape[1], kernels.shape[0], inputs.shape[2], inputs.shape[3], kernels.shape[2],
                            kernels.shape[3], zero, zero)
    layer.params = [kernels, biases]
    return layer.fprop(inputs)
