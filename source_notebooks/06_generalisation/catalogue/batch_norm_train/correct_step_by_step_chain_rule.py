# The chain rule step by step through the variance and the mean, as in the computational graph
def batch_norm_fprop(inputs, gamma, beta, epsilon):
    batch_size = inputs.shape[0]
    mean = np.sum(inputs, axis=0) / batch_size
    centred = inputs - mean
    variance = np.sum(centred**2, axis=0) / batch_size
    return gamma * centred / np.sqrt(variance + epsilon) + beta


def batch_norm_bprop(inputs, gamma, grads_wrt_outputs, epsilon):
    batch_size = inputs.shape[0]
    mean = np.sum(inputs, axis=0) / batch_size
    centred = inputs - mean
    variance = np.sum(centred**2, axis=0) / batch_size
    std = np.sqrt(variance + epsilon)
    grads_wrt_normalised = grads_wrt_outputs * gamma
    grads_wrt_variance = np.sum(grads_wrt_normalised * centred, axis=0) * -0.5 * std**-3
    grads_wrt_mean = -np.sum(grads_wrt_normalised, axis=0) / std - 2.0 * grads_wrt_variance * np.sum(centred, axis=0) / batch_size
    return grads_wrt_normalised / std + grads_wrt_variance * 2.0 * centred / batch_size + grads_wrt_mean / batch_size
