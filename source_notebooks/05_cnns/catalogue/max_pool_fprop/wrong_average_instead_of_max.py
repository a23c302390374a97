# Average pooling: takes the mean of each block instead of its maximum.
def max_pool_fprop(inputs, pool_size=2):
    batch_size, num_channels, height, width = inputs.shape
    blocks = inputs.reshape(batch_size, num_channels, height // pool_size, pool_size, width // pool_size, pool_size)
    return blocks.mean(axis=(3, 5))
