# Subsamples the input pixels before sliding the kernel, instead of subsampling the output positions
def conv_fprop_strided(inputs, kernels, biases, stride=1, padding=0):
    kernel_height, kernel_width = kernels.shape[2:]
    padded = np.pad(inputs, ((0, 0), (0, 0), (padding, padding), (padding, padding)))[:, :, ::stride, ::stride]
    windows = sliding_window_view(padded, (kernel_height, kernel_width), axis=(2, 3))
    return np.einsum("bcijuv,ocuv->boij", windows, kernels) + biases[None, :, None, None]
