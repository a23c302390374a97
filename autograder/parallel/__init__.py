"""Grading in parallel: a pool of long-lived worker processes with a wall-clock limit per job.

- :mod:`.jobs`: the typed, versioned messages: ``GradeJob`` -> ``GradeReply``, ``SolutionJob`` -> ``SolutionReply``.
- :mod:`.pool`: starts workers, hands out jobs, kills a job (and its kernels) that overruns.
- :mod:`.worker`: ``python -m autograder.parallel.worker``, the loop that runs one job at a time.
- :mod:`.scratch_grading`: autograde one submission in a private scratch course (and collect its notes).
- :mod:`.intake`: copy a submission within its :class:`~.intake.SubmissionLimits`; which notebooks can be graded.
- :mod:`.nbgrader_failures`: why nbgrader could not autograde, in one line.
- :mod:`.answer_key`: execute one source notebook for the answer key.
- :mod:`.private_environment`: each job's own HOME, temp and Jupyter folders.

Jobs and replies cross the process boundary as JSON lines. The worker imports
:mod:`autograder.safety` (through nbgrader's configuration) and :mod:`autograder.gradebook`;
nothing here writes the course gradebook.
"""
