# Computes (W^T Delta^T)^T, the same product written the other way round
def affine_bprop(grads_wrt_outputs, weights):
    return (weights.T @ grads_wrt_outputs.T).T
