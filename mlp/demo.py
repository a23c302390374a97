"""Train the reference models on the bundled digits data and print how well they do.

Run with ``python -m mlp.demo`` (or ``make demo``). Takes well under a minute: a multi-layer
perceptron and a small convolutional network, both with fixed seeds, so the numbers are the
same on every run.
"""

from __future__ import annotations

import argparse

from mlp.reference_models import BUILDERS, INPUT_SHAPES, RECIPES, train_reference


def format_table(results) -> str:
    """A plain-text table with one row per trained model."""
    header = f"{'model':<6}{'train acc':>11}{'valid acc':>11}{'test acc':>10}{'time (s)':>10}"
    lines = [header, "-" * len(header)]
    for result in results:
        acc = result.accuracies
        lines.append(f"{result.name:<6}{acc['train']:>11.4f}{acc['valid']:>11.4f}"
                     f"{acc['test']:>10.4f}{result.run_time:>10.1f}")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of weights and batch order")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    arguments = parser.parse_args(argv)
    results = []
    for name in ("mlp", "cnn"):
        recipe = RECIPES[name]
        print(f"\nThe reference {name.upper()} (seed {arguments.seed}):")
        print(BUILDERS[name](arguments.seed).summary(input_shape=INPUT_SHAPES[name]))
        print(f"Training with Adam (learning rate {recipe.learning_rate:g}), batches of "
              f"{recipe.batch_size}, {recipe.num_epochs} epochs:", flush=True)
        results.append(train_reference(name, seed=arguments.seed,
                                       progress=not arguments.no_progress))
    print("\nAccuracy on the digits splits (1079 train / 359 valid / 359 test images)")
    print(format_table(results))


if __name__ == "__main__":
    main()
