# The logistic sigmoid: non-linear, stable and with a correct derivative, but it saturates for positive inputs
def my_activation_fprop(inputs):
    return sigmoid(inputs)


def my_activation_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * outputs * (1.0 - outputs)
