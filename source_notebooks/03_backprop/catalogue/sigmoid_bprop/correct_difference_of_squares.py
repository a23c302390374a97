# Writes y(1 - y) as y - y^2
def sigmoid_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * (outputs - outputs**2)
