"""Changes made in place, carried across the judge's channel so that two kernels behave as one process.

When the judge calls a student's function, the arguments cross as copies; the agent sends back
every argument the call changed, and :func:`write_back` applies that change to the judge's own
object (``update(params, grads)`` changes the judge's ``params``). The other way round, arrays the
judge reads from a student object are kept with a :func:`snapshot`; when the judge changes them
(a learning rule updating a student layer's ``params``), :func:`changed` says so and the judge
sends them back (:meth:`autograder.safety.judge.Judge.mirror`).

The grader installs this module in the judge kernel by its source text (see
``autograder.safety.judge.kernel_modules``): it imports NumPy and the standard library only.
"""

import numpy as np


def write_back(target, new):
    """Apply a change the student's code made in place to the judge's original ``target``."""
    if isinstance(target, np.ndarray):
        if isinstance(new, np.ndarray) and new.shape == target.shape and target.flags.writeable:
            np.copyto(target, new, casting="unsafe")
    elif type(target) is list and type(new) is list:
        target[:] = new
    elif type(target) is dict and type(new) is dict:
        target.clear()
        target.update(new)
    elif isinstance(target, np.random.Generator) and isinstance(new, np.random.Generator):
        target.bit_generator.state = new.bit_generator.state
    elif type(new) is type(target) and type(getattr(target, "__dict__", None)) is dict:
        vars(target).clear()
        vars(target).update(vars(new))


def holds_arrays(value):
    """True for an array, or a non-empty list or tuple of arrays (what the judge keeps a snapshot of)."""
    return isinstance(value, np.ndarray) or (type(value) in (list, tuple) and value and all(
        isinstance(item, np.ndarray) for item in value))


def snapshot(value):
    """A copy of the arrays in ``value`` (and the identity of a list's items), to compare with later."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if type(value) in (list, tuple):
        return [snapshot(item) for item in value], tuple(map(id, value))
    return None


def changed(value, taken):
    """True when ``value`` differs from its :func:`snapshot` ``taken`` (an entry rebound, or a value changed)."""
    if isinstance(value, np.ndarray):
        return value.shape != taken.shape or not np.array_equal(value, taken, equal_nan=True)
    items, identities = taken
    if tuple(map(id, value)) != identities:
        return True
    return any(copy is not None and changed(item, copy) for item, copy in zip(value, items, strict=True))
