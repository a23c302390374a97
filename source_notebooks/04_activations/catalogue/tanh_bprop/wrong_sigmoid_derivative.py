# Copies the sigmoid's derivative y (1 - y)
def tanh_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * outputs * (1 - outputs)
