# Re-uses conv_fprop: a forward pass over the padded gradients with rotated, channel-transposed kernels and zero biases.
def conv_bprop(inputs, kernels, grads_wrt_outputs):
    kernel_height, kernel_width = kernels.shape[2:]
    padded = np.pad(grads_wrt_outputs, ((0, 0), (0, 0),
                                        (kernel_height - 1, kernel_height - 1),
                                        (kernel_width - 1, kernel_width - 1)))
    backward_kernels = np.transpose(kernels[:, :, ::-1, ::-1], (1, 0, 2, 3))
    return conv_fprop(padded, backward_kernels, np.zeros(kernels.shape[1]))
