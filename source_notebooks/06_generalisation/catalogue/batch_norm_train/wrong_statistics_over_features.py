# Normalises each example over its features (axis 1) instead of each feature over the batch
def batch_norm_fprop(inputs, gamma, beta, epsilon):
    mean = inputs.mean(axis=1, keepdims=True)
    normalised = (inputs - mean) / np.sqrt(inputs.var(axis=1, keepdims=True) + epsilon)
    return gamma * normalised + beta


def batch_norm_bprop(inputs, gamma, grads_wrt_outputs, epsilon):
    inverse_std = 1.0 / np.sqrt(inputs.var(axis=0) + epsilon)
    normalised = (inputs - inputs.mean(axis=0)) * inverse_std
    grads_wrt_normalised = grads_wrt_outputs * gamma
    return inverse_std * (grads_wrt_normalised - grads_wrt_normalised.mean(axis=0)
                          - normalised * (grads_wrt_normalised * normalised).mean(axis=0))
