"""Grading safety: every layer between a hostile submission and a grade, in the order they act.

1. :mod:`.sanitize` (``RestoreCellMetadata``): nbgrader cell metadata is put back from the source,
   so a submission cannot turn a test into an answer or hide a graded cell.
2. :mod:`.suspicious_code`: a static look at the answers for tricks that have no place in one
   (flagged for review, never re-scored).
3. :mod:`.guarded_execute`: nbgrader's execute preprocessor replaced: the student's cells run in a
   sandboxed kernel, the test cells in a separate judge kernel.
4. :mod:`.sandbox`, :mod:`.sandbox_kernel`, :mod:`.kernel_bootstrap`, :mod:`.write_lock`,
   :mod:`.kernel_cgroup`: the student kernel's view of the machine (bubblewrap namespaces,
   rlimits, Landlock, a cgroup) and the check of what it imports.
5. :mod:`.judge`, :mod:`.agent`, :mod:`.wire`: test cells run in the judge; values come from the
   student kernel as plain data through the agent, never as code or objects.
6. :mod:`.sanitize` (``SanitizeStudentHTML``): student HTML in feedback and the Formgrader
   goes through an allowlist.
7. :mod:`.similarity`: answers that match the reference or each other are flagged for review.

Imports :mod:`autograder.course` only. A new defence goes here, with the attack it stops as a
test in ``tests/adversarial``.
"""
