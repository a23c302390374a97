# A mask of 0.0 and 1.0 multiplied by the scale once, the scaled mask reused in both passes
def dropout_fprop(inputs, incl_prob, rng):
    kept = (rng.uniform(0.0, 1.0, size=inputs.shape) < incl_prob).astype(np.float64)
    return inputs * (kept / incl_prob), kept


def dropout_bprop(grads_wrt_outputs, mask, incl_prob):
    scale = np.asarray(mask, dtype=np.float64) / incl_prob
    return grads_wrt_outputs * scale
