# Loops over the kernel offsets u instead of the outputs; bprop pads the gradient and correlates with the flip
def correlate1d(signal, kernel):
    num_outputs = len(signal) - len(kernel) + 1
    outputs = np.zeros(num_outputs)
    for u in range(len(kernel)):
        outputs += kernel[u] * signal[u:u + num_outputs]
    return outputs


def correlate1d_bprop(kernel, grads_wrt_outputs):
    padded = np.pad(np.asarray(grads_wrt_outputs, dtype=float), len(kernel) - 1)
    return correlate1d(padded, kernel[::-1])
