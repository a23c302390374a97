# Factorises 1 - y^2 as (1 - y)(1 + y)
def tanh_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * (1.0 - outputs) * (1.0 + outputs)
