# Reads incl_prob as the probability of dropping: keeps a unit when the draw is above it
def dropout_fprop(inputs, incl_prob, rng):
    mask = rng.uniform(size=inputs.shape) > incl_prob
    return inputs * mask / incl_prob, mask


def dropout_bprop(grads_wrt_outputs, mask, incl_prob):
    return grads_wrt_outputs * mask / incl_prob
