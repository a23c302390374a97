"""Answers that closely match the reference package or each other: flagged "needs review", never re-scored.

The installed ``mlp`` package holds the reference answer of every exercise, and students can copy
from each other. After grading, the parent process compares, per exercise (solution cell
``grade_id``), every student's answer with every other student's and with every function of the
installed ``mlp`` source, and records the close matches with their scores and lines in
``course/report/similarity.json`` and as review lines in ``grading_results.json``. Scores never change.

How an answer is compared (winnowing, Schleimer, Wilkerson and Aiken, SIGMOD 2003, as in MOSS):

1. **The answer** is what the student wrote in the cell: lines that the instructor gave (the
   source cell outside ``### BEGIN SOLUTION``/``### END SOLUTION``: the ``def`` line, the
   docstring) and the stub (``# YOUR CODE HERE``, ``raise NotImplementedError()``) are left out.
2. **Tokens** from Python's ``tokenize``, so layout does not count: comments, docstrings, blank
   lines, indentation and line breaks inside brackets or after a ``:`` are dropped. Every name
   the code binds (parameters, assignments, loop variables, ``self.attribute``) becomes ``V``,
   numbered by first use within each k-gram (Baker's parameterised strings), so consistent
   renaming changes nothing; strings become ``"S"``, numbers their value. Names the code only
   uses (``np``, ``einsum``, ``.T``) are kept, imported names as what they import, so ``np.exp``
   is not ``np.tanh``.
3. **Fingerprints**: hashes of every run of ``K`` consecutive tokens (k-grams); winnowing keeps
   the smallest hash of every ``WINDOW`` consecutive k-grams, which finds every shared run of at
   least ``K + WINDOW - 1`` tokens; the index of candidate pairs is built from them (and answers
   with the same tokens are compared once, as a group), so a class of 300 takes seconds.
4. **Expected code is not evidence**: k-grams of the lesson's own reference solution (the source
   cell's solution regions) never match, so students who all write the obvious answer (which is
   often also how ``mlp`` writes it) do not match each other or ``mlp``.
5. **The score**: a candidate pair is aligned in order, one to one (difflib's matching blocks
   over the two k-gram sequences); shared runs of at least ``MIN_RUN`` tokens count. The
   similarity of a side is the share of its own tokens (those not in expected k-grams) in those
   runs. A pair is flagged when at least ``MIN_MATCHED_TOKENS`` tokens match and the similarity
   of one side (the student's, against ``mlp``) is at least ``MIN_SIMILARITY``. Short answers
   (``return np.tanh(inputs)``) are never flagged: everybody writes them the same way.

The modules, in the order of the steps: :mod:`.tokens` (step 2), :mod:`.fingerprints` (step 3,
:class:`Answer`), :mod:`.exercises` (steps 1 and 4: an exercise's answers and expected code, the
matches of one assignment), :mod:`.matching` (step 5 within a class), :mod:`.reference` (step 5
against ``mlp``) and :mod:`.review` (the pass after grading: ``similarity.json``, review lines, the
report). The names below are the package's interface.
"""

from autograder.safety.similarity.exercises import STUB_LINES, Exercise, exercises_of, find_matches, solution_regions
from autograder.safety.similarity.fingerprints import WINDOW, Answer, K, kgram_hashes, winnow
from autograder.safety.similarity.matching import (
    MIN_MATCHED_TOKENS,
    MIN_RUN,
    MIN_SIMILARITY,
    REFERENCE_PACKAGE,
    Match,
    aligned_runs,
    class_matches,
    compare,
)
from autograder.safety.similarity.reference import reference_index, reference_matches, reference_root, reference_units
from autograder.safety.similarity.review import (
    RESULTS_NAME,
    REVIEW_PREFIX,
    format_matches,
    load_matches,
    results_path,
    review_line,
    review_similarity,
)
from autograder.safety.similarity.tokens import Tokens, bound_names, imported_names, normalised_tokens

__all__ = ["K", "MIN_MATCHED_TOKENS", "MIN_RUN", "MIN_SIMILARITY", "REFERENCE_PACKAGE", "RESULTS_NAME",
           "REVIEW_PREFIX", "STUB_LINES", "WINDOW", "Answer", "Exercise", "Match", "Tokens", "aligned_runs",
           "bound_names", "class_matches", "compare", "exercises_of", "find_matches", "format_matches",
           "imported_names", "kgram_hashes", "load_matches", "normalised_tokens", "reference_index",
           "reference_matches", "reference_root", "reference_units", "results_path", "review_line",
           "review_similarity", "solution_regions", "winnow"]
