# Ignores alpha and always uses the slope 0.01
def leaky_relu_bprop(inputs, outputs, grads_wrt_outputs, alpha=0.01):
    slope = (inputs > 0) + 0.01 * (inputs <= 0)
    return grads_wrt_outputs * slope
