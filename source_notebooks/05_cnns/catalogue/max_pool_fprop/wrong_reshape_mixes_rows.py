# Reshapes to (rows // p, cols // p, p, p), which groups consecutive memory into "blocks" that are not square patches.
def max_pool_fprop(inputs, pool_size=2):
    batch_size, num_channels, height, width = inputs.shape
    blocks = inputs.reshape(batch_size, num_channels, height // pool_size, width // pool_size, pool_size, pool_size)
    return blocks.max(axis=(4, 5))
