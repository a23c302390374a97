# Pads 2 * padding zeros at the bottom/right only: the output has the right size but is shifted
def conv_fprop_strided(inputs, kernels, biases, stride=1, padding=0):
    kernel_height, kernel_width = kernels.shape[2:]
    padded = np.pad(inputs, ((0, 0), (0, 0), (0, 2 * padding), (0, 2 * padding)))
    windows = sliding_window_view(padded, (kernel_height, kernel_width), axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("bcijuv,ocuv->boij", windows, kernels) + biases[None, :, None, None]
