# Drops units but forgets to divide the kept ones by incl_prob (not inverted dropout)
def dropout_fprop(inputs, incl_prob, rng):
    mask = rng.uniform(size=inputs.shape) < incl_prob
    return inputs * mask, mask


def dropout_bprop(grads_wrt_outputs, mask, incl_prob):
    return grads_wrt_outputs * mask
