"""Grading safety: every layer between a hostile submission and a grade, in the order they act.

1. :mod:`.sanitize` (``RestoreCellMetadata``): nbgrader cell metadata is put back from the source,
   so a submission cannot turn a test into an answer or hide a graded cell.
2. :mod:`.suspicious_code`: a static look at the answers for tricks that have no place in one
   (flagged for review, never re-scored).
3. :mod:`.guarded_execute`: nbgrader's execute preprocessor replaced: the student's cells run in a
   sandboxed kernel, the test cells in a separate judge kernel.
4. :mod:`.sandbox` (the policy of a notebook's kernels), :mod:`.bwrap_mounts` (bubblewrap's
   namespaces and mounts), :mod:`.resource_limits` (rlimits and folder sizes),
   :mod:`.sandbox_support` (what this machine supports), :mod:`.sandbox_kernel`,
   :mod:`.kernel_bootstrap`, :mod:`.write_lock`, :mod:`.kernel_cgroup`: the student kernel's view of
   the machine (bubblewrap namespaces, rlimits, Landlock, a cgroup) and the check of what it imports.
5. :mod:`.judge`, :mod:`.proxies`, :mod:`.in_place`, :mod:`.agent`, :mod:`.wire`: test cells run in
   the judge; values come from the student kernel as plain data through the agent, never as code
   or objects; the student's functions and objects are proxies in the judge, and changes made in
   place cross back. The judge's static name analysis is :mod:`autograder.notebooks.source_names`.
6. :mod:`.sanitize` (``SanitizeStudentHTML``): student HTML in feedback and the Formgrader
   goes through an allowlist.
7. :mod:`.similarity` (a package: tokens, fingerprints, matching, the ``mlp`` reference, the
   class's answers, the review pass): answers that match the reference or each other are flagged
   for review.

Imports :mod:`autograder.notebooks` and :mod:`autograder.course` (and, inside functions,
:mod:`autograder.pages.maths` for the answer key's exporter and :mod:`autograder.gradebook.results`
for the similarity pass). A new defence goes here, with the attack it stops as a
test in ``tests/adversarial``.
"""
