# Pads the output gradients by one pixel on each side, which is only right for 2x2 kernels.
def conv_bprop(inputs, kernels, grads_wrt_outputs):
    kernel_height, kernel_width = kernels.shape[2:]
    padded = np.pad(grads_wrt_outputs, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = sliding_window_view(padded, (kernel_height, kernel_width), axis=(2, 3))
    rotated = kernels[:, :, ::-1, ::-1]
    return np.einsum("boijuv,ocuv->bcij", windows, rotated, optimize=True)
