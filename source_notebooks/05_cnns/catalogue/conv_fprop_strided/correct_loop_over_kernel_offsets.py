# Zero-padded copy by assignment, then a loop over the kernel offsets (u, v) with strided slices
def conv_fprop_strided(inputs, kernels, biases, stride=1, padding=0):
    batch_size, _, height, width = inputs.shape
    num_output_channels, _, kernel_height, kernel_width = kernels.shape
    padded = np.zeros(inputs.shape[:2] + (height + 2 * padding, width + 2 * padding))
    padded[:, :, padding:padding + height, padding:padding + width] = inputs
    out_height = (height + 2 * padding - kernel_height) // stride + 1
    out_width = (width + 2 * padding - kernel_width) // stride + 1
    outputs = np.zeros((batch_size, num_output_channels, out_height, out_width))
    for u in range(kernel_height):
        for v in range(kernel_width):
            patch = padded[:, :, u:u + stride * (out_height - 1) + 1:stride, v:v + stride * (out_width - 1) + 1:stride]
            outputs += np.einsum("bcij,oc->boij", patch, kernels[:, :, u, v])
    return outputs + biases.reshape(1, -1, 1, 1)
