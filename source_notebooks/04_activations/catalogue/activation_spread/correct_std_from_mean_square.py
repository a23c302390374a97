# Computes each std as the square root of the mean squared deviation, filling preallocated arrays
import numpy as np


def activation_spread(depth, width, init_scale, activation, rng, batch_size=500):
    weights = np.stack([rng.normal(0.0, init_scale / np.sqrt(width), size=(width, width)) for _ in range(depth)])
    x = rng.standard_normal((batch_size, width))
    us, ys = [], []
    activation_stds = np.empty(depth)
    for layer in range(depth):
        u = np.einsum("bi,oi->bo", x, weights[layer])
        x = activation.fprop(u)
        us.append(u)
        ys.append(x)
        activation_stds[layer] = np.sqrt(np.mean((x - x.mean()) ** 2))
    g = rng.standard_normal((batch_size, width))
    gradient_stds = np.empty(depth)
    for layer in range(depth - 1, -1, -1):
        g = np.einsum("bo,oi->bi", activation.bprop(us[layer], ys[layer], g), weights[layer])
        gradient_stds[layer] = np.sqrt(np.mean((g - g.mean()) ** 2))
    return activation_stds, gradient_stds
