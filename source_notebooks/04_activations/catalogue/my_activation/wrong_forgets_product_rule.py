# SiLU u * sigmoid(u), but the derivative forgets the product rule and returns only sigmoid(u)
def my_activation_fprop(inputs):
    return inputs * sigmoid(inputs)


def my_activation_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * sigmoid(inputs)
