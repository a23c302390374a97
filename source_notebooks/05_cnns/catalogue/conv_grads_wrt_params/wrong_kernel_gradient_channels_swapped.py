# Returns the kernel gradient with shape (in_channels, out_channels, kh, kw): the two channel axes are swapped.
def conv_grads_wrt_params(inputs, grads_wrt_outputs):
    output_height, output_width = grads_wrt_outputs.shape[2:]
    kernel_height = inputs.shape[2] - output_height + 1
    kernel_width = inputs.shape[3] - output_width + 1
    windows = sliding_window_view(inputs, (kernel_height, kernel_width), axis=(2, 3))
    grads_wrt_kernels = np.einsum("bcijuv,boij->couv", windows, grads_wrt_outputs, optimize=True)
    return [grads_wrt_kernels, grads_wrt_outputs.sum(axis=(0, 2, 3))]
