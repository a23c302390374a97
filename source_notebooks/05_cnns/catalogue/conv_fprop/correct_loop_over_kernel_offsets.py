# Loops over the kernel offsets (u, v) only; each step adds a shifted slice of every image, times one weight per channel pair.
def conv_fprop(inputs, kernels, biases):
    num_output_channels, _, kernel_height, kernel_width = kernels.shape
    out_height = inputs.shape[2] - kernel_height + 1
    out_width = inputs.shape[3] - kernel_width + 1
    outputs = np.zeros((inputs.shape[0], num_output_channels, out_height, out_width))
    for u in range(kernel_height):
        for v in range(kernel_width):
            shifted = inputs[:, :, u:u + out_height, v:v + out_width]
            outputs += np.tensordot(shifted, kernels[:, :, u, v], axes=([1], [1])).transpose(0, 3, 1, 2)
    return outputs + biases.reshape(1, -1, 1, 1)
