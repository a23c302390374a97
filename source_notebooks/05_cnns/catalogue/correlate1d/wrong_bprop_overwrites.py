# bprop assigns each stamp (=) instead of adding it (+=): overlapping contributions are lost
def correlate1d(signal, kernel):
    outputs = np.zeros(len(signal) - len(kernel) + 1)
    for i in range(len(outputs)):
        outputs[i] = np.dot(kernel, signal[i:i + len(kernel)])
    return outputs


def correlate1d_bprop(kernel, grads_wrt_outputs):
    grads_wrt_signal = np.zeros(len(grads_wrt_outputs) + len(kernel) - 1)
    for i, grad in enumerate(grads_wrt_outputs):
        grads_wrt_signal[i:i + len(kernel)] = grad * kernel
    return grads_wrt_signal
