# Forgets to back propagate through the sigmoid: uses dE/dH as if it were dE/dU
def network_forward_backward(params, inputs, targets):
    hidden_weights, hidden_biases, output_weights, output_biases = params
    hidden_outputs = sigmoid(affine_fprop(inputs, hidden_weights, hidden_biases))
    logits = affine_fprop(hidden_outputs, output_weights, output_biases)
    error = softmax_cross_entropy_error(logits, targets)
    grads_wrt_logits = softmax_cross_entropy_grad(logits, targets)
    output_grads = affine_grads_wrt_params(hidden_outputs, grads_wrt_logits)
    grads_wrt_hidden = affine_bprop(grads_wrt_logits, output_weights)
    hidden_grads = affine_grads_wrt_params(inputs, grads_wrt_hidden)
    return error, [hidden_grads[0], hidden_grads[1], output_grads[0], output_grads[1]]
