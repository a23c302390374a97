# Uses the kernels' channel axes the wrong way round, as if their shape were (in_channels, out_channels, kh, kw).
def conv_bprop(inputs, kernels, grads_wrt_outputs):
    kernel_height, kernel_width = kernels.shape[2:]
    padded = np.pad(grads_wrt_outputs, ((0, 0), (0, 0),
                                        (kernel_height - 1, kernel_height - 1),
                                        (kernel_width - 1, kernel_width - 1)))
    windows = sliding_window_view(padded, (kernel_height, kernel_width), axis=(2, 3))
    rotated = kernels[:, :, ::-1, ::-1]
    return np.einsum("boijuv,couv->bcij", windows, rotated, optimize=True)
