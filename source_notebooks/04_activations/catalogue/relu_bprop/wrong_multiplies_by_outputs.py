# Multiplies by the outputs max(0, u) instead of by the 0/1 derivative
def relu_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * outputs
