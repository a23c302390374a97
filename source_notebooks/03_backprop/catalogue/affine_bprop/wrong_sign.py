# Gets the sign wrong
def affine_bprop(grads_wrt_outputs, weights):
    return -grads_wrt_outputs @ weights
