# One tensordot per kernel offset, contracting the batch and position axes of the gradient with a shifted input slice.
def conv_grads_wrt_params(inputs, grads_wrt_outputs):
    num_output_channels, (output_height, output_width) = grads_wrt_outputs.shape[1], grads_wrt_outputs.shape[2:]
    kernel_height = inputs.shape[2] - output_height + 1
    kernel_width = inputs.shape[3] - output_width + 1
    grads_wrt_kernels = np.empty((num_output_channels, inputs.shape[1], kernel_height, kernel_width))
    for u in range(kernel_height):
        for v in range(kernel_width):
            shifted = inputs[:, :, u:u + output_height, v:v + output_width]
            grads_wrt_kernels[:, :, u, v] = np.tensordot(grads_wrt_outputs, shifted, axes=([0, 2, 3], [0, 2, 3]))
    grads_wrt_biases = np.einsum("boij->o", grads_wrt_outputs)
    return [grads_wrt_kernels, grads_wrt_biases]
