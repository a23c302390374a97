"""The MLP benchmark: one SGD training step of an affine-ReLU network, ours against PyTorch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.timing import relative_difference, time_in_blocks

DEFAULT_MLP_SIZES = (100, 784, 256, 256, 10)  # batch size, then layer widths
QUICK_MLP_SIZES = (8, 20, 16, 16, 10)


@dataclass
class MLPResult:
    sizes: tuple
    ours: float | None
    torch: float | None
    difference: float | None
    note: str = ""


def _mlp_data(sizes: Sequence[int], seed: int = 0):
    rng = np.random.default_rng(seed)
    batch_size, widths = sizes[0], sizes[1:]
    inputs = rng.standard_normal((batch_size, widths[0]), dtype=np.float32)
    labels = rng.integers(0, widths[-1], size=batch_size)
    targets = np.eye(widths[-1], dtype=np.float32)[labels]
    weights = [rng.uniform(-1, 1, size=(fan_out, fan_in)).astype(np.float32) / np.float32(np.sqrt(fan_in))
               for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True)]
    biases = [np.zeros(fan_out, dtype=np.float32) for fan_out in widths[1:]]
    return inputs, labels, targets, weights, biases


def benchmark_mlp_step(sizes: Sequence[int], repeats: int, torch=None, learning_rate: float = 0.01,
                       pause: float = 0.0) -> MLPResult:
    """Time one SGD step (forward, softmax cross-entropy, backward, update) of an affine-ReLU network."""
    inputs, labels, targets, weights, biases = _mlp_data(sizes)
    try:
        from mlp.errors import CrossEntropySoftmaxError
        from mlp.layers import AffineLayer, ReluLayer
        from mlp.learning_rules import GradientDescentLearningRule
        from mlp.models import MultipleLayerModel

        layers = []
        for index, (weight, bias) in enumerate(zip(weights, biases, strict=True)):
            if index:
                layers.append(ReluLayer())
            layers.append(AffineLayer(weight.shape[1], weight.shape[0], lambda shape, w=weight: w.copy(),
                                      lambda shape, b=bias: b.copy()))
        model = MultipleLayerModel(layers)
        error = CrossEntropySoftmaxError()
        learning_rule = GradientDescentLearningRule(learning_rate=learning_rate)
        learning_rule.initialise(model.params)
    except (ImportError, NotImplementedError) as missing:
        return MLPResult(tuple(sizes), None, None, None, f"skipped: the kit's MLP pieces are missing ({missing})")

    def ours_step():
        activations = model.fprop(inputs)
        error(activations[-1], targets)
        learning_rule.update_params(model.grads_wrt_params(activations, error.grad(activations[-1], targets)))

    functions = {"ours": ours_step}
    difference = None
    if torch is not None:
        network_layers = []
        for index, (weight, bias) in enumerate(zip(weights, biases, strict=True)):
            if index:
                network_layers.append(torch.nn.ReLU())
            linear = torch.nn.Linear(weight.shape[1], weight.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(weight))
                linear.bias.copy_(torch.from_numpy(bias))
            network_layers.append(linear)
        network = torch.nn.Sequential(*network_layers)
        optimiser = torch.optim.SGD(network.parameters(), lr=learning_rate)
        torch_inputs, torch_labels = torch.from_numpy(inputs), torch.from_numpy(labels)

        def torch_step():
            optimiser.zero_grad()
            loss = torch.nn.functional.cross_entropy(network(torch_inputs), torch_labels)
            loss.backward()
            optimiser.step()

        # from the same start, both must compute the same gradients (and so make the same SGD update)
        activations = model.fprop(inputs)
        ours_grads = model.grads_wrt_params(activations, error.grad(activations[-1], targets))
        optimiser.zero_grad()
        torch.nn.functional.cross_entropy(network(torch_inputs), torch_labels).backward()
        difference = relative_difference(ours_grads, [parameter.grad.numpy() for parameter in network.parameters()])
        functions["torch"] = torch_step
    times = time_in_blocks(functions, repeats, pause=pause)
    return MLPResult(tuple(sizes), times["ours"], times.get("torch"), difference)
