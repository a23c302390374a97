# Uses the inputs where the formula needs the outputs: 1 - u^2
def tanh_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * (1 - inputs**2)
