# Keeps every activation in a list, as a model's fprop does, and walks it backwards with one running delta
def network_forward_backward(params, inputs, targets):
    hidden_weights, hidden_biases, output_weights, output_biases = params
    activations = [inputs]
    activations.append(affine_fprop(activations[-1], hidden_weights, hidden_biases))
    activations.append(sigmoid(activations[-1]))
    activations.append(affine_fprop(activations[-1], output_weights, output_biases))
    error = softmax_cross_entropy_error(activations[-1], targets)

    delta = softmax_cross_entropy_grad(activations[-1], targets)
    output_weight_grads = affine_grads_wrt_params(activations[2], delta)
    delta = affine_bprop(delta, output_weights)
    delta = sigmoid_bprop(activations[1], activations[2], delta)
    hidden_weight_grads = affine_grads_wrt_params(activations[0], delta)
    return error, list(hidden_weight_grads) + list(output_weight_grads)
