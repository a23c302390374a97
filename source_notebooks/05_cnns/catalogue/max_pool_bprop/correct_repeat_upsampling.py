# Upsamples outputs and gradients to the input size with np.repeat, then keeps the gradient where the input equals its block's maximum.
def max_pool_bprop(inputs, outputs, grads_wrt_outputs, pool_size=2):
    def upsample(array):
        return np.repeat(np.repeat(array, pool_size, axis=2), pool_size, axis=3)

    return (inputs == upsample(outputs)) * upsample(grads_wrt_outputs)
