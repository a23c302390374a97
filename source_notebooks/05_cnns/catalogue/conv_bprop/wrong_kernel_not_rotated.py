# Pads the output gradients correctly but forgets to rotate the kernels by 180 degrees.
def conv_bprop(inputs, kernels, grads_wrt_outputs):
    kernel_height, kernel_width = kernels.shape[2:]
    padded = np.pad(grads_wrt_outputs, ((0, 0), (0, 0),
                                        (kernel_height - 1, kernel_height - 1),
                                        (kernel_width - 1, kernel_width - 1)))
    windows = sliding_window_view(padded, (kernel_height, kernel_width), axis=(2, 3))
    return np.einsum("boijuv,ocuv->bcij", windows, kernels, optimize=True)
