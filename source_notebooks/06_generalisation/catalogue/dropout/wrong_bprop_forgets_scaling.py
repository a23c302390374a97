# The forward pass is right, but the backward pass uses the mask without the 1 / incl_prob
def dropout_fprop(inputs, incl_prob, rng):
    mask = rng.uniform(size=inputs.shape) < incl_prob
    return inputs * mask / incl_prob, mask


def dropout_bprop(grads_wrt_outputs, mask, incl_prob):
    return grads_wrt_outputs * mask
