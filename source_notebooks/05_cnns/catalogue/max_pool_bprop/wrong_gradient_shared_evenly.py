# Shares each output gradient equally among the pixels of its block (the backward pass of average pooling).
def max_pool_bprop(inputs, outputs, grads_wrt_outputs, pool_size=2):
    spread = np.repeat(np.repeat(grads_wrt_outputs, pool_size, axis=2), pool_size, axis=3)
    return spread / pool_size ** 2
