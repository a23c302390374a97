"""mlp: the kit's reference NumPy package for neural networks from scratch (arrays are batch first).

A map of the package, from the bottom up. Imports point down this list: a module imports only
modules above it, never :mod:`mlp.testing`, and nothing of ``autograder``, ``benchmarks`` or ``tests``.

Foundations (import nothing of mlp):

- :mod:`mlp.validation`: argument checks whose errors name the owner, what was expected and what came.
- :mod:`mlp.numerics`: stable sigmoid, softplus, softmax, log-softmax, logsumexp.
- :mod:`mlp.metrics`: pure metrics of outputs and targets (``accuracy``).

Building blocks (import the foundations only):

- :mod:`mlp.layers`: ``Layer``/``LayerWithParameters`` in ``layers/base.py`` (the fprop/bprop contract,
  and the penalty plumbing, once); one module per kind of layer (``affine``, ``activations``,
  ``convolution``, ``pooling``, ``batch_norm``, ``dropout``, ``reshape``) plus their helpers
  ``windows`` (strided windows) and ``workspace`` (work arrays kept between calls). A new layer goes
  in its own module (or next to its kin, e.g. an activation in ``activations.py``), subclasses a base,
  lists its ``param_names`` (a penalty on parameter ``p`` is the attribute ``p_penalty``) and is
  re-exported from ``mlp/layers/__init__.py``.
- :mod:`mlp.errors`: losses with ``__call__`` (batch mean) and ``grad``; a new error is a subclass of
  ``_Error`` there.
- :mod:`mlp.penalties`, :mod:`mlp.initialisers`: L1/L2 penalties; weight initialisers seeded by ``rng``.
- :mod:`mlp.learning_rules`: in-place parameter updates (SGD, momentum, Adam, ...); a new rule
  implements ``_update_param`` (and its state) there. :mod:`mlp.schedulers`: learning-rate schedules.
- :mod:`mlp.data_providers`: mini-batch iteration, the built-in data sets (digits, MNIST files,
  moons, slashes), one module each.
- :mod:`mlp.perceptron`: the classic perceptron of lesson 1.

Putting them together (may import the building blocks):

- :mod:`mlp.models`: layers in sequence (fprop of every activation, backprop of the gradients).
- :mod:`mlp.optimisers`: the training loop (statistics, schedules, early stopping, progress bar).
- :mod:`mlp.gradcheck`: central-difference checks of functions, layers, errors and models.
- :mod:`mlp.reference_models`, :mod:`mlp.demo`: the kit's reference MLP and CNN and
  ``python -m mlp.demo``, which trains them.

For the lessons (may import everything above; nothing above imports them):

- :mod:`mlp.plotting`, :mod:`mlp.widgets`: figures and ipywidgets explorers (one module per lesson topic).
- :mod:`mlp.testing`: the notebook tests' assertions and the "own work" guard; imported only by the
  lessons' notebooks and by tests.
"""
