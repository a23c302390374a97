# The batch sums written with einsum
def batch_norm_fprop(inputs, gamma, beta, epsilon):
    centred = inputs - np.einsum("nd->d", inputs) / inputs.shape[0]
    variance = np.einsum("nd,nd->d", centred, centred) / inputs.shape[0]
    return centred * (gamma / np.sqrt(variance + epsilon)) + beta


def batch_norm_bprop(inputs, gamma, grads_wrt_outputs, epsilon):
    batch_size = inputs.shape[0]
    centred = inputs - np.einsum("nd->d", inputs) / batch_size
    inverse_std = 1.0 / np.sqrt(np.einsum("nd,nd->d", centred, centred) / batch_size + epsilon)
    normalised = centred * inverse_std
    upstream = grads_wrt_outputs * gamma
    mean_term = np.einsum("nd->d", upstream) / batch_size
    variance_term = np.einsum("nd,nd->d", upstream, normalised) / batch_size
    return inverse_std * (upstream - mean_term - normalised * variance_term)
