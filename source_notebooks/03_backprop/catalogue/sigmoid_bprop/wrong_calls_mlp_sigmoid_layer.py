# Hands the work to mlp's reference SigmoidLayer (the own-work guard must catch it)
def sigmoid_bprop(inputs, outputs, grads_wrt_outputs):
    from mlp.layers import SigmoidLayer

    return SigmoidLayer().bprop(inputs, outputs, grads_wrt_outputs)
