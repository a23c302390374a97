# Finds the winner of each block but returns only the 0/1 mask, forgetting to multiply by the output gradients.
def max_pool_bprop(inputs, outputs, grads_wrt_outputs, pool_size=2):
    batch_size, num_channels, height, width = inputs.shape
    blocks = inputs.reshape(batch_size, num_channels, height // pool_size, pool_size, width // pool_size, pool_size)
    is_winner = blocks == outputs[:, :, :, None, :, None]
    return is_winner.astype(float).reshape(inputs.shape)
