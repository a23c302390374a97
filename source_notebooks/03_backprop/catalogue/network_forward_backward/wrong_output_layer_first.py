# Returns the gradients in the order the backward pass found them (output layer first)
def network_forward_backward(params, inputs, targets):
    hidden_weights, hidden_biases, output_weights, output_biases = params
    hidden_inputs = affine_fprop(inputs, hidden_weights, hidden_biases)
    hidden_outputs = sigmoid(hidden_inputs)
    logits = affine_fprop(hidden_outputs, output_weights, output_biases)
    error = softmax_cross_entropy_error(logits, targets)
    grads = []
    grads_wrt_logits = softmax_cross_entropy_grad(logits, targets)
    grads += affine_grads_wrt_params(hidden_outputs, grads_wrt_logits)
    grads_wrt_hidden_outputs = affine_bprop(grads_wrt_logits, output_weights)
    grads_wrt_hidden_inputs = sigmoid_bprop(hidden_inputs, hidden_outputs, grads_wrt_hidden_outputs)
    grads += affine_grads_wrt_params(inputs, grads_wrt_hidden_inputs)
    return error, grads
