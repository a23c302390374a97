# Treats the batch mean and variance as constants in the backward pass
def batch_norm_fprop(inputs, gamma, beta, epsilon):
    normalised = (inputs - inputs.mean(axis=0)) / np.sqrt(inputs.var(axis=0) + epsilon)
    return gamma * normalised + beta


def batch_norm_bprop(inputs, gamma, grads_wrt_outputs, epsilon):
    return grads_wrt_outputs * gamma / np.sqrt(inputs.var(axis=0) + epsilon)
