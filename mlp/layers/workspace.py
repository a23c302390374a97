"""Work arrays a layer keeps from call to call (e.g. the convolution's im2col matrix).

Fresh memory is slow to touch the first time, so a layer asks its :class:`Workspace` for a named
work array of a given shape and dtype and gets the same array back on the next call. The workspace
also remembers *what* some arrays hold (a key, e.g. the batch size and dtype of the inputs whose
im2col matrix they are), so a later call on the same inputs can use them instead of computing
them again. Copies and pickles of a layer get an empty workspace.

Rows of work arrays that go into matrix products are laid out with a length (*leading dimension*)
of :func:`unaliased_length`: OpenBLAS runs 25-30% slower on matrices whose rows are a multiple of
4 KiB long (e.g. ``64 * 24 * 24 = 36864`` numbers), because their columns then compete for the
same cache sets.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np


def unaliased_length(length: int) -> int:
    """The smallest odd multiple of 16 that is at least ``length``: a row length BLAS handles at full speed.

    Rows whose length is a multiple of a large power of two (e.g. 1024 float32 numbers, 4 KiB) map every
    column to the same few cache sets; an odd multiple of 16 (64 bytes for float32) never does.

    >>> unaliased_length(1024), unaliased_length(16), unaliased_length(17)
    (1040, 16, 48)
    """
    multiple = -(-length // 16)
    return 16 * (multiple + 1 - multiple % 2)


class Workspace:
    """Named work arrays, kept between calls, and the key of the result some of them hold.

    >>> workspace = Workspace()
    >>> columns = workspace.array("columns", (3, 4), np.float32, initial=0, ones_row=True, max_bytes=1024)
    >>> columns[-1].tolist(), workspace.array("columns", (3, 4), np.float32, max_bytes=1024) is columns
    ([1.0, 1.0, 1.0, 1.0], True)
    >>> workspace.remember(("batch of 2", np.float32), "columns")
    >>> workspace.holds(("batch of 2", np.float32)), workspace.holds(("batch of 5", np.float32))
    (True, False)
    """

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}
        self._key: Hashable | None = None

    def array(self, name: str, shape: tuple, dtype, *, max_bytes: int, initial=None,
              ones_row: bool = False) -> np.ndarray:
        """The work array ``name`` of ``shape`` and ``dtype``: the kept one if it fits, else a new one.

        A new array is filled with ``initial`` (if given) and its last row with ones (if ``ones_row``);
        a kept one is returned as it is, so callers that overwrite only some parts find the rest as it
        was made. Arrays larger than ``max_bytes`` are not kept, so a large evaluation batch does not keep
        a large buffer alive.
        """
        buffer = self._arrays.get(name)
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
            self._arrays.pop(name, None)
            buffer = np.empty(shape, dtype=dtype) if initial is None else np.full(shape, initial, dtype=dtype)
            if ones_row:
                buffer[-1] = 1
            if buffer.nbytes <= max_bytes:
                self._arrays[name] = buffer
        return buffer

    def kept(self, name: str) -> np.ndarray | None:
        """The kept work array ``name``, or ``None``."""
        return self._arrays.get(name)

    def remember(self, key: Hashable, *names: str) -> None:
        """Note that the arrays ``names`` hold the result for ``key`` (only if all of them are kept)."""
        self._key = key if all(name in self._arrays for name in names) else None

    def holds(self, key: Hashable) -> bool:
        """Whether the remembered result is the one for ``key``."""
        return self._key is not None and self._key == key

    def forget(self) -> None:
        """Forget the remembered result (call before overwriting the arrays that hold it)."""
        self._key = None

    def __len__(self) -> int:
        """The number of kept arrays."""
        return len(self._arrays)

    def __getstate__(self) -> dict:
        return {"_arrays": {}, "_key": None}  # copies and pickles carry no work arrays

    def __repr__(self) -> str:
        kept = ", ".join(f"{name}: {array.shape} {array.dtype}" for name, array in self._arrays.items())
        return f"Workspace({kept})"
