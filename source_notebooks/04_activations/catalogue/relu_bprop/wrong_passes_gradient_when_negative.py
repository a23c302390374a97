# Passes the gradient through everywhere, also where u < 0
def relu_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs.copy()
