# Takes the elementwise maximum of the pool_size**2 strided slices inputs[:, :, u::p, v::p], one per position in a block.
def max_pool_fprop(inputs, pool_size=2):
    slices = [inputs[:, :, u::pool_size, v::pool_size] for u in range(pool_size) for v in range(pool_size)]
    return np.maximum.reduce(slices)
