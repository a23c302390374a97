# Lets the gradient through where u < 0 and blocks it where u > 0
def relu_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * (inputs < 0)
