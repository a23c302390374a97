# Zeroes the dropped units of the caller's array in place, then scales it
def dropout_fprop(inputs, incl_prob, rng):
    mask = rng.uniform(size=inputs.shape) < incl_prob
    inputs[~mask] = 0
    inputs /= incl_prob
    return inputs, mask


def dropout_bprop(grads_wrt_outputs, mask, incl_prob):
    return grads_wrt_outputs * mask / incl_prob
