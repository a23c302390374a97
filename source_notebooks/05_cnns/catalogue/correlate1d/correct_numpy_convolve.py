# NumPy's own 1-D routines: correlate for the forward pass, a full convolve for the gradient
def correlate1d(signal, kernel):
    return np.correlate(signal, kernel, mode="valid")


def correlate1d_bprop(kernel, grads_wrt_outputs):
    return np.convolve(grads_wrt_outputs, kernel, mode="full")
