# Writes (1 - y)^2 instead of 1 - y^2
def tanh_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * (1 - outputs) ** 2
