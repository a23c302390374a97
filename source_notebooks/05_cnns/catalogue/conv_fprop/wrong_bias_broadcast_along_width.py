# Adds the biases without reshaping them, so NumPy broadcasts them along the width axis.
def conv_fprop(inputs, kernels, biases):
    kernel_height, kernel_width = kernels.shape[2:]
    windows = sliding_window_view(inputs, (kernel_height, kernel_width), axis=(2, 3))
    outputs = np.einsum("bcijuv,ocuv->boij", windows, kernels, optimize=True)
    return outputs + biases
