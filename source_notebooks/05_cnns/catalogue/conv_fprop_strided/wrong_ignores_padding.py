# Forgets the padding: right for padding=0 only
def conv_fprop_strided(inputs, kernels, biases, stride=1, padding=0):
    kernel_height, kernel_width = kernels.shape[2:]
    windows = sliding_window_view(inputs, (kernel_height, kernel_width), axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("bcijuv,ocuv->boij", windows, kernels) + biases[None, :, None, None]
