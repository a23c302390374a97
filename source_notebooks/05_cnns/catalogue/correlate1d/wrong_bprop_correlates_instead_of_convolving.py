# bprop cross-correlates the zero-padded gradient with the unflipped kernel: the kernel lands back to front
def correlate1d(signal, kernel):
    outputs = np.zeros(len(signal) - len(kernel) + 1)
    for i in range(len(outputs)):
        outputs[i] = np.dot(kernel, signal[i:i + len(kernel)])
    return outputs


def correlate1d_bprop(kernel, grads_wrt_outputs):
    padded = np.concatenate([np.zeros(len(kernel) - 1), grads_wrt_outputs, np.zeros(len(kernel) - 1)])
    return correlate1d(padded, kernel)
