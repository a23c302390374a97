# Computes a true convolution: the kernel is rotated by 180 degrees before it is applied.
def conv_fprop(inputs, kernels, biases):
    kernel_height, kernel_width = kernels.shape[2:]
    windows = sliding_window_view(inputs, (kernel_height, kernel_width), axis=(2, 3))
    flipped = kernels[:, :, ::-1, ::-1]
    outputs = np.einsum("bcijuv,ocuv->boij", windows, flipped, optimize=True)
    return outputs + biases[None, :, None, None]
