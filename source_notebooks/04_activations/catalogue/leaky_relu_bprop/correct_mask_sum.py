# Adds the two sides, each selected by a boolean mask
def leaky_relu_bprop(inputs, outputs, grads_wrt_outputs, alpha=0.01):
    positive = inputs > 0
    return grads_wrt_outputs * positive + alpha * grads_wrt_outputs * ~positive
