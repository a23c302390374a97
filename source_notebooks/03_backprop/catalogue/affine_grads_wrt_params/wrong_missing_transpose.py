# Returns X^T Delta, the transpose of the weight gradient (shape (input_dim, output_dim))
def affine_grads_wrt_params(inputs, grads_wrt_outputs):
    return [inputs.T @ grads_wrt_outputs, grads_wrt_outputs.sum(axis=0)]
