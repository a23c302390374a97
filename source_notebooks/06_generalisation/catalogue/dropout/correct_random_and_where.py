# rng.random draws the same numbers as rng.uniform; np.where picks the kept units
def dropout_fprop(inputs, incl_prob, rng):
    mask = rng.random(inputs.shape) < incl_prob
    return np.where(mask, inputs / incl_prob, 0.0), mask


def dropout_bprop(grads_wrt_outputs, mask, incl_prob):
    return np.where(mask, grads_wrt_outputs / incl_prob, 0.0)
