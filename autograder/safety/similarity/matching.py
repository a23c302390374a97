"""Matching answers: two answers aligned in order, the share of each covered by shared runs, the flag.

A candidate pair is aligned one to one (difflib's matching blocks over the two k-gram sequences,
expected k-grams never matching); shared runs of at least :data:`MIN_RUN` tokens count. The
similarity of a side is the share of its own tokens (those not in expected k-grams) in those runs.
A pair is flagged when at least :data:`MIN_MATCHED_TOKENS` tokens match and the similarity of one
side (the student's, against ``mlp``) is at least :data:`MIN_SIMILARITY`. Within a class, answers
with the same tokens are compared once, as a group, and only groups that share a winnowed
fingerprint are aligned (:func:`class_matches`).
"""

import difflib
import itertools
from dataclasses import asdict, dataclass

from autograder.safety.similarity.fingerprints import K

MIN_RUN = 16               # a shared run of tokens shorter than this does not count
MIN_MATCHED_TOKENS = 30    # fewer shared tokens than this is not evidence of a copy
MIN_SIMILARITY = 0.7       # share of an answer's own tokens that must be covered by the match
REFERENCE_PACKAGE = "mlp"  # the installed package whose functions every answer is compared with


@dataclass
class Match:
    """Two answers to one exercise that match (or an answer and an ``mlp`` function), with where.

    similarity: for each side, the share of its own tokens covered by the match.
    lines: for each side, the matching lines as ``[[first, last], ...]`` (1-based, in the cell or file).
    """

    assignment: str
    exercise: str
    students: list
    similarity: list
    matched_tokens: int
    lines: list
    quoted: list
    locations: list

    @property
    def score(self):
        return max(self.similarity)

    @property
    def against_reference(self):
        return self.students[1].startswith(REFERENCE_PACKAGE + "/")

    def to_dict(self):
        return asdict(self)


def aligned_runs(first, second, minimum_run=MIN_RUN):
    """Token positions of each side in the runs the two share, aligned in order and one to one.

    The matching blocks of the two k-gram sequences (difflib's longest-block-first alignment,
    expected k-grams never matching) give runs of shared tokens; runs shorter than
    ``minimum_run`` tokens are left out, so scattered common idioms are not counted.
    """
    matcher = difflib.SequenceMatcher(None, first.comparable(0), second.comparable(1), autojunk=False)
    first_positions, second_positions = set(), set()
    for i, j, size in matcher.get_matching_blocks():
        if size and size + K - 1 >= minimum_run:
            first_positions.update(range(i, i + size + K - 1))
            second_positions.update(range(j, j + size + K - 1))
    return first_positions & first.own_positions, second_positions & second.own_positions


def compare(first, second):
    """(similarity of each side, matched tokens, positions of each side) when the two share enough, else None.

    similarity: the share of each side's own tokens (those not in expected k-grams) in the shared runs.
    """
    first_covered, second_covered = aligned_runs(first, second)
    matched = min(len(first_covered), len(second_covered))
    if matched < MIN_MATCHED_TOKENS:
        return None
    similarity = (len(first_covered) / max(1, len(first.own_positions)),
                  len(second_covered) / max(1, len(second.own_positions)))
    return similarity, matched, first_covered, second_covered


def _quote(answer, ranges, limit=8):
    source_lines = answer.source.split("\n")
    quoted = []
    for first, last in ranges:
        quoted.extend(f"{number:4d} | {source_lines[number - 1]}" for number in range(first, last + 1)
                      if number <= len(source_lines))
    return quoted[:limit] + ([f"     | ... ({len(quoted) - limit} more lines)"] if len(quoted) > limit else [])


def flagged_match(assignment, exercise, first, second, result, reference=False):
    """The :class:`Match` of ``first`` and ``second`` when ``result`` (of :func:`compare`) is close
    enough to flag, else None (against the reference only the student's side, ``first``, counts)."""
    similarity, matched, first_covered, second_covered = result
    if reference:  # only the student's side counts: an mlp function holds much more than one answer
        if similarity[0] < MIN_SIMILARITY:
            return None
    elif max(similarity) < MIN_SIMILARITY:
        return None
    ranges = [first.line_ranges(first_covered), second.line_ranges(second_covered)]
    return Match(assignment, exercise, [first.owner, second.owner], [round(value, 3) for value in similarity],
                 matched, ranges, [_quote(first, ranges[0]), _quote(second, ranges[1])],
                 [first.location, second.location])


def class_matches(assignment, exercise, answers):
    """Matches between the answers of different students to one exercise (each pair once).

    Answers with the same tokens (copies, however renamed) are compared once as a group; groups
    that share a winnowed fingerprint are candidates, and only those are aligned.
    """
    groups = {}
    for position, answer in enumerate(answers):
        groups.setdefault(answer.signature, []).append(position)
    members = list(groups.values())
    index = {}
    for group, positions in enumerate(members):
        for fingerprint in answers[positions[0]].fingerprints():
            index.setdefault(fingerprint, set()).add(group)
    candidates = {(group, group) for group, positions in enumerate(members) if len(positions) > 1}
    for holders in index.values():
        ordered = sorted(holders)
        candidates.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:])
    matches = []
    for first_group, second_group in sorted(candidates):
        first_members, second_members = members[first_group], members[second_group]
        first, second = answers[first_members[0]], answers[second_members[-1]]
        result = compare(first, second)
        if result is None or (max(result[0]) < MIN_SIMILARITY):
            continue
        pairs = (itertools.combinations(first_members, 2) if first_group == second_group
                 else itertools.product(first_members, second_members))
        for a, b in pairs:
            if answers[a].owner != answers[b].owner:
                matches.append(flagged_match(assignment, exercise, answers[a], answers[b], result))
    return matches
