# Flips the kernel in the forward pass (a true convolution), and so stamps the flipped kernel in bprop
def correlate1d(signal, kernel):
    flipped = kernel[::-1]
    return np.array([np.sum(flipped * signal[i:i + len(kernel)]) for i in range(len(signal) - len(kernel) + 1)])


def correlate1d_bprop(kernel, grads_wrt_outputs):
    grads_wrt_signal = np.zeros(len(grads_wrt_outputs) + len(kernel) - 1)
    for i, grad in enumerate(grads_wrt_outputs):
        grads_wrt_signal[i:i + len(kernel)] += grad * kernel[::-1]
    return grads_wrt_signal
