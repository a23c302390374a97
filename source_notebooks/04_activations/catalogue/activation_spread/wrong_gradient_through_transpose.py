# Multiplies the gradient by W.T instead of W on the way back (right spread on average, wrong numbers)
import numpy as np


def activation_spread(depth, width, init_scale, activation, rng, batch_size=500):
    weights = [rng.normal(0.0, init_scale / np.sqrt(width), size=(width, width)) for _ in range(depth)]
    hidden = rng.standard_normal((batch_size, width))
    pre_activations, outputs = [], []
    for weight in weights:
        pre_activations.append(hidden @ weight.T)
        hidden = activation.fprop(pre_activations[-1])
        outputs.append(hidden)
    gradient = rng.standard_normal((batch_size, width))
    gradient_stds = np.zeros(depth)
    for index in reversed(range(depth)):
        gradient = activation.bprop(pre_activations[index], outputs[index], gradient) @ weights[index].T
        gradient_stds[index] = np.std(gradient)
    return np.array([np.std(values) for values in outputs]), gradient_stds
