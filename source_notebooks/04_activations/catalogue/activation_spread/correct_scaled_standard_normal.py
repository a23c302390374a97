# Scales standard normal draws by the weights' std and keeps the blocks' values in a list of tuples
import numpy as np


def activation_spread(depth, width, init_scale, activation, rng, batch_size=500):
    weight_std = init_scale / np.sqrt(width)
    weights = []
    for _ in range(depth):
        weights.append(weight_std * rng.standard_normal((width, width)))
    hidden = rng.standard_normal((batch_size, width))
    blocks = []
    for weight in weights:
        pre_activations = hidden @ weight.T
        hidden = activation.fprop(pre_activations)
        blocks.append((pre_activations, hidden))
    gradient = rng.standard_normal((batch_size, width))
    gradient_stds = []
    for (pre_activations, outputs), weight in zip(reversed(blocks), reversed(weights), strict=True):
        gradient = activation.bprop(pre_activations, outputs, gradient)
        gradient = gradient @ weight
        gradient_stds.append(np.std(gradient))
    activation_stds = np.array([np.std(outputs) for _, outputs in blocks])
    return activation_stds, np.array(gradient_stds[::-1])
