# Divides the weight gradient by the batch size a second time
def affine_grads_wrt_params(inputs, grads_wrt_outputs):
    batch_size = inputs.shape[0]
    return [grads_wrt_outputs.T @ inputs / batch_size, grads_wrt_outputs.sum(axis=0)]
