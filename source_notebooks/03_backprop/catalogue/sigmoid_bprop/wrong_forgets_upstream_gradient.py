# Returns the local derivative without multiplying by the incoming gradient
def sigmoid_bprop(inputs, outputs, grads_wrt_outputs):
    return outputs * (1 - outputs)
