# Treats it as a plain ReLU: no gradient at all for negative inputs
def leaky_relu_bprop(inputs, outputs, grads_wrt_outputs, alpha=0.01):
    return grads_wrt_outputs * (inputs > 0)
