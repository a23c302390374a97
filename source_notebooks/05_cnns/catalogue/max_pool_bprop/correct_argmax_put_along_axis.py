# Finds each block's winner with argmax over a flattened block axis and writes the gradient there with put_along_axis.
def max_pool_bprop(inputs, outputs, grads_wrt_outputs, pool_size=2):
    batch_size, num_channels, height, width = inputs.shape
    rows, columns = height // pool_size, width // pool_size
    blocks = inputs.reshape(batch_size, num_channels, rows, pool_size, columns, pool_size)
    blocks = blocks.transpose(0, 1, 2, 4, 3, 5).reshape(batch_size, num_channels, rows, columns, pool_size ** 2)
    winners = np.argmax(blocks, axis=-1)[..., None]
    grads = np.zeros(blocks.shape)
    np.put_along_axis(grads, winners, grads_wrt_outputs[..., None], axis=-1)
    grads = grads.reshape(batch_size, num_channels, rows, columns, pool_size, pool_size)
    return grads.transpose(0, 1, 2, 4, 3, 5).reshape(inputs.shape)
