# Keeps the term through the mean but drops the one through the variance
def batch_norm_fprop(inputs, gamma, beta, epsilon):
    normalised = (inputs - inputs.mean(axis=0)) / np.sqrt(inputs.var(axis=0) + epsilon)
    return gamma * normalised + beta


def batch_norm_bprop(inputs, gamma, grads_wrt_outputs, epsilon):
    grads_wrt_normalised = grads_wrt_outputs * gamma
    return (grads_wrt_normalised - grads_wrt_normalised.mean(axis=0)) / np.sqrt(inputs.var(axis=0) + epsilon)
