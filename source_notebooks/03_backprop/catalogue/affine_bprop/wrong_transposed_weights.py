# Multiplies by the transposed weights, as in the forward pass
def affine_bprop(grads_wrt_outputs, weights):
    return grads_wrt_outputs @ weights.T
