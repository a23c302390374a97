"""Grading in parallel: a pool of long-lived worker processes with a wall-clock limit per job.

- :mod:`.pool`: starts workers, hands out jobs, kills a job (and its kernels) that overruns.
- :mod:`.worker`: ``python -m autograder.parallel.worker``, the loop that runs one job at a time
  in a private scratch course.

Jobs and records cross the process boundary as JSON lines. The worker imports
:mod:`autograder.safety` (through nbgrader's configuration) and :mod:`autograder.gradebook`;
nothing here writes the course gradebook.
"""
