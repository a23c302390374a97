# im2col: each window becomes a row of a matrix, and one matrix product with the flattened kernels does the rest.
def conv_fprop(inputs, kernels, biases):
    batch_size = inputs.shape[0]
    num_output_channels, num_input_channels, kernel_height, kernel_width = kernels.shape
    windows = sliding_window_view(inputs, (kernel_height, kernel_width), axis=(2, 3))
    out_height, out_width = windows.shape[2:4]
    rows = windows.transpose(0, 2, 3, 1, 4, 5).reshape(batch_size * out_height * out_width, -1)
    products = rows @ kernels.reshape(num_output_channels, -1).T + biases
    return products.reshape(batch_size, out_height, out_width, num_output_channels).transpose(0, 3, 1, 2)
