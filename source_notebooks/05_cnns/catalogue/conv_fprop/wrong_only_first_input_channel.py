# Forgets to sum over the input channels: only channel 0 of the inputs and kernels is used.
def conv_fprop(inputs, kernels, biases):
    kernel_height, kernel_width = kernels.shape[2:]
    windows = sliding_window_view(inputs[:, 0], (kernel_height, kernel_width), axis=(1, 2))
    outputs = np.einsum("bijuv,ouv->boij", windows, kernels[:, 0], optimize=True)
    return outputs + biases[None, :, None, None]
