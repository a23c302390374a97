# Averages the bias gradient over the batch instead of summing it (the kernel gradient is right).
def conv_grads_wrt_params(inputs, grads_wrt_outputs):
    output_height, output_width = grads_wrt_outputs.shape[2:]
    kernel_height = inputs.shape[2] - output_height + 1
    kernel_width = inputs.shape[3] - output_width + 1
    windows = sliding_window_view(inputs, (kernel_height, kernel_width), axis=(2, 3))
    grads_wrt_kernels = np.einsum("bcijuv,boij->ocuv", windows, grads_wrt_outputs, optimize=True)
    grads_wrt_biases = grads_wrt_outputs.sum(axis=(2, 3)).mean(axis=0)
    return [grads_wrt_kernels, grads_wrt_biases]
