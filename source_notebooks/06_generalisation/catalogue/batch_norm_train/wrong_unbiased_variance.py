# Uses the unbiased variance (ddof=1) instead of the biased one
def batch_norm_fprop(inputs, gamma, beta, epsilon):
    normalised = (inputs - inputs.mean(axis=0)) / np.sqrt(inputs.var(axis=0, ddof=1) + epsilon)
    return gamma * normalised + beta


def batch_norm_bprop(inputs, gamma, grads_wrt_outputs, epsilon):
    inverse_std = 1.0 / np.sqrt(inputs.var(axis=0, ddof=1) + epsilon)
    normalised = (inputs - inputs.mean(axis=0)) * inverse_std
    grads_wrt_normalised = grads_wrt_outputs * gamma
    return inverse_std * (grads_wrt_normalised - grads_wrt_normalised.mean(axis=0)
                          - normalised * (grads_wrt_normalised * normalised).mean(axis=0))
