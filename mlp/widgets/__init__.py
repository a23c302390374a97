"""Interactive explorers (ipywidgets) used by the lessons.

Each lesson topic has its own module; import the one you need, e.g.
``from mlp.widgets.descent import ...``:

- :mod:`mlp.widgets.common`: the shared pieces: :class:`~mlp.widgets.common.Explorer`
  (controls + a figure redrawn by ``update(**values)``, testable without a browser) and
  the control factories ``slider``, ``dropdown`` and ``checkbox``.
- :mod:`mlp.widgets.perceptron`: the perceptron's decision boundary and update rule (lesson 01).
- :mod:`mlp.widgets.descent`: gradient descent and the step size in 1-D and 2-D (lesson 02).
- :mod:`mlp.widgets.backprop`: forward and backward passes through a small graph (lesson 03).
- :mod:`mlp.widgets.activations`: activation functions, their derivatives and saturation
  (lesson 04).
- :mod:`mlp.widgets.convolution`: kernels sliding over an image as feature detectors
  (lesson 05).
- :mod:`mlp.widgets.generalisation`: an L2 penalty and dropout against the train/valid curves (lesson 06).

In a notebook, show an explorer with ``display(explorer.widget)`` (or just
``explorer.widget`` as the last line of a cell).
"""
