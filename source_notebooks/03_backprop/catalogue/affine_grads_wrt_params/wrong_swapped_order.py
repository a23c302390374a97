# Returns the gradients in the order [biases, weights]
def affine_grads_wrt_params(inputs, grads_wrt_outputs):
    return [grads_wrt_outputs.sum(axis=0), grads_wrt_outputs.T @ inputs]
