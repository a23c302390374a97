"""The similarity pass after grading: matches stored, review lines in the grading records, the report.

:func:`review_similarity` compares all autograded submissions of each graded assignment, keeps
the matches in ``course/report/similarity.json`` and puts one "needs review" line per match
(:func:`review_line`) in ``grading_results.json``; :func:`format_matches` is the ``report`` text.
Scores never change.
"""

import json

from autograder.course.text_tables import format_table
from autograder.safety.similarity.exercises import assignment_matches
from autograder.safety.similarity.matching import Match

RESULTS_NAME = "similarity.json"
REVIEW_PREFIX = "similar answer: "


def review_line(match, student):
    """The "needs review" line of ``match`` for ``student`` (one side of it)."""
    side = match.students.index(student)
    other = match.students[1 - side]
    ranges = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in match.lines[side])
    other_ranges = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in match.lines[1 - side])
    what = f"the reference {other}" if match.against_reference else f"{other}'s answer"
    return (f"{REVIEW_PREFIX}{match.exercise} lines {ranges} match {what} (lines {other_ranges}): "
            f"{match.similarity[side]:.0%} of this answer, {match.matched_tokens} tokens")


def results_path(course):
    return course.report_dir / RESULTS_NAME


def load_matches(course):
    """``{assignment: [match dict, ...]}`` kept by the last similarity pass (empty when none)."""
    path = results_path(course)
    return json.loads(path.read_text()) if path.is_file() else {}


def review_similarity(course, results, log=None):
    """The similarity pass after grading: flag close matches in every assignment of ``results``.

    Compares all autograded submissions of each assignment, writes ``course/report/similarity.json``,
    replaces the similarity lines in the review of every record of those assignments
    (``grading_results.json``) and in ``results`` (so ``grade`` prints them). Scores are not touched.
    """
    from autograder.gradebook.results import load_results

    assignments = sorted({result.assignment for result in results})
    if not assignments:
        return {}
    found = {assignment: assignment_matches(course, assignment) for assignment in assignments}
    kept = load_matches(course)
    kept.update({assignment: [match.to_dict() for match in matches] for assignment, matches in found.items()})
    path = results_path(course)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(kept, indent=1))
    lines = {}
    for assignment, matches in found.items():
        for match in matches:
            for student in match.students[: 1 if match.against_reference else 2]:
                lines.setdefault(f"{assignment}/{student}", []).append(review_line(match, student))
    records = load_results(course)
    for result in list(records.values()) + list(results):
        if result.assignment in found:
            result.review = [line for line in result.review if not line.startswith(REVIEW_PREFIX)]
            result.review += lines.get(result.key, [])
    if course.results_file.is_file():
        course.results_file.write_text(json.dumps({key: records[key].to_dict() for key in sorted(records)}, indent=1))
    if log:
        count = sum(len(matches) for matches in found.values())
        log(f"similarity: {count} close match(es) in {', '.join(assignments)} (see `report`; scores unchanged)")
    return found


def format_matches(kept):
    """The flagged pairs of ``{assignment: [match dict, ...]}`` as text, with scores and the matching lines."""
    matches = [Match(**data) for assignment in sorted(kept) for data in kept[assignment]]
    if not matches:
        return "Similar answers: none flagged"
    rows = [[m.assignment, m.exercise, m.students[0], m.students[1],
             " / ".join(f"{value:.0%}" for value in m.similarity), m.matched_tokens] for m in matches]
    blocks = [f"Similar answers: {len(matches)} pair(s) NEED REVIEW (scores unchanged; similarity = share of each "
              f"answer's own code in the match, code of the reference solution not counted)",
              format_table(["assignment", "exercise", "student", "matches", "similarity", "tokens"], rows)]
    for m in matches:
        lines = [f"{m.assignment} {m.exercise}: {m.students[0]} ~ {m.students[1]}"]
        for side in (0, 1):
            lines.append(f"  {m.students[side]} ({m.locations[side]}):")
            lines.extend("    " + line for line in m.quoted[side])
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
