# Adds the two sides selected by masks, using the outputs (no exponential at all)
def elu_bprop(inputs, outputs, grads_wrt_outputs, alpha=1.0):
    positive = inputs > 0
    return grads_wrt_outputs * (positive + (~positive) * (outputs + alpha))
