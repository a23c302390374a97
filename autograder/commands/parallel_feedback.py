"""nbgrader's ``generate_feedback`` for many submissions at once, on several cores of this machine.

Feedback renders autograded notebooks (no code is executed) and only reads the gradebook, so
``generate_feedback`` runs it in ``workers`` processes of a ``ProcessPoolExecutor``, each with
its own ``NbGraderAPI``, over batches of submissions; this process alone records problems.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from autograder.course.directory import Course, make_api

# Submissions per batch handed to a process (small, so that the processes finish together).
BATCH = 8
# A process costs its start-up (importing nbgrader and nbconvert: 3-6 s of CPU, measured), about as
# much as the pages of a few submissions: a process is added only for every this many submissions.
MIN_PER_PROCESS = 16


def nbgrader_feedback(course, pairs, workers=1):
    """``{(student, assignment): None or error text}``: nbgrader's feedback page for each pair.

    workers: processes to use at most (1: this process); one per :data:`MIN_PER_PROCESS`
    submissions. An error is nbgrader's own failure for that submission; the others carry on.
    """
    pairs = list(pairs)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"nbgrader_feedback: workers must be a whole number >= 1, got {workers!r}")
    workers = max(1, min(workers, len(pairs) // MIN_PER_PROCESS))
    batches = [pairs[start:start + BATCH] for start in range(0, len(pairs), BATCH)]
    where = (str(course.root), str(course.source_notebooks), str(course.solutions))
    if workers == 1:
        return feedback_batch(where, pairs)
    outcomes = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(batches)), mp_context=context) as executor:
        for answer in executor.map(feedback_batch, [where] * len(batches), batches):
            outcomes.update(answer)
    return outcomes


def feedback_batch(where, pairs):
    """Run in a worker process: nbgrader's feedback for ``pairs`` of the course at ``where``."""
    course = Course.at(*where)
    api = make_api(course)
    outcomes = {}
    for student, assignment in pairs:
        try:
            outcome = api.generate_feedback(assignment, student, force=True)
        except Exception as error:  # noqa: BLE001 -- recorded for this submission; the others go on
            outcomes[(student, assignment)] = f"{type(error).__name__}: {error}"
            continue
        if outcome.get("success"):
            outcomes[(student, assignment)] = None
        else:
            text = outcome.get("error") or outcome.get("log", "") or ""
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            outcomes[(student, assignment)] = lines[-1] if lines else "nbgrader failed"
    return outcomes
