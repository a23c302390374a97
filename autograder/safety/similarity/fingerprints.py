"""Fingerprints of an answer: hashed k-grams of its tokens, winnowed (Schleimer, Wilkerson and Aiken 2003).

Hashes of every run of :data:`K` consecutive tokens (k-grams), a bound name written as the position
of its first use in the run (Baker's parameterised strings), so consistent renaming changes
nothing; winnowing keeps the smallest hash of every :data:`WINDOW` consecutive k-grams, which finds
every shared run of at least ``K + WINDOW - 1`` tokens. An :class:`Answer` holds one piece of code
with its tokens and hashes, and which of its k-grams are its own (not the lesson's expected code).
"""

import hashlib
from dataclasses import dataclass, field

from autograder.safety.similarity.tokens import Tokens

K = 10                     # tokens per k-gram: shorter shared runs are noise
WINDOW = 4                 # winnowing window: every shared run of K + WINDOW - 1 = 13 tokens is found


def kgram_hashes(tokens, k=K):
    """A 64-bit hash of every run of ``k`` consecutive tokens (deterministic across processes).

    Inside each run a bound name is written as the position of its first use in the run (``V0``,
    ``V1``, ...; Baker's parameterised strings): consistent renaming gives the same hash, while
    ``a = a * b`` and ``a = b * c`` stay different.
    """
    texts, names = tokens.texts, tokens.names or (None,) * len(tokens.texts)
    hashes = []
    for start in range(len(texts) - k + 1):
        seen, parts = {}, []
        for position in range(start, start + k):
            name = names[position]
            parts.append(texts[position] if name is None else f"V{seen.setdefault(name, len(seen))}")
        hashes.append(int.from_bytes(hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest(), "big"))
    return hashes


def winnow(hashes, window=WINDOW):
    """Positions chosen by robust winnowing: the rightmost smallest hash of every ``window`` consecutive hashes."""
    if len(hashes) <= window:
        return {min(range(len(hashes)), key=lambda i: (hashes[i], -i))} if hashes else set()
    chosen = set()
    for start in range(len(hashes) - window + 1):
        chosen.add(min(range(start, start + window), key=lambda i: (hashes[i], -i)))
    return chosen


@dataclass
class Answer:
    """One piece of code to compare: a student's answer to an exercise, or a function of ``mlp``.

    owner: the student id, or the reference function (``mlp/layers/affine.py AffineLayer.fprop``).
    source: the code the line numbers refer to (the whole cell, or the function's file).
    tokens / hashes: its normalised tokens and their k-gram hashes.
    own: positions of the k-grams that are not expected (not in the lesson's reference solution).
    """

    owner: str
    source: str
    tokens: Tokens
    hashes: list
    own: set = field(default_factory=set)
    location: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, owner, source, tokens, expected=frozenset(), location=""):
        hashes = kgram_hashes(tokens)
        return cls(owner, source, tokens, hashes, {i for i, h in enumerate(hashes) if h not in expected}, location)

    @property
    def own_positions(self):
        """Positions of the tokens not covered by expected k-grams."""
        if "own_positions" not in self._cache:
            positions = set(range(len(self.tokens)))
            for i in range(len(self.hashes)):
                if i not in self.own:
                    positions.difference_update(range(i, i + K))
            self._cache["own_positions"] = positions
        return self._cache["own_positions"]

    @property
    def signature(self):
        """Equal for answers whose tokens are the same up to consistent renaming and layout."""
        return tuple(value if i in self.own else None for i, value in enumerate(self.hashes))

    def fingerprints(self):
        """Winnowed hashes of the answer's own k-grams (for the candidate index)."""
        return {self.hashes[i] for i in winnow(self.hashes) if i in self.own}

    def comparable(self, side):
        """The k-gram hashes in order, each expected one replaced by a marker that matches nothing."""
        key = ("comparable", side)
        if key not in self._cache:
            self._cache[key] = [value if i in self.own else (side, i) for i, value in enumerate(self.hashes)]
        return self._cache[key]

    def line_ranges(self, positions):
        """The source lines of token ``positions`` as ``[[first, last], ...]``."""
        lines = sorted({self.tokens.lines[i] for i in positions})
        ranges = []
        for line in lines:
            if ranges and line <= ranges[-1][1] + 1:
                ranges[-1][1] = line
            else:
                ranges.append([line, line])
        return ranges
