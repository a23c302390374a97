"""The instructor's commands, one module each: ``python -m autograder SUBCOMMAND`` (see :mod:`.cli`).

Each command module wires the other rooms together and holds no grading logic of its own:
``build`` (source -> release and answer key), ``grade`` (parallel autograding, then merge,
feedback and export), ``feedback``, ``report``, ``selfcheck`` (the lessons' tests proved on the
catalogue and on mutants) and ``demo``. Commands may import every other room; no other room
imports a command. A new subcommand is a module here plus one entry in :mod:`.cli`.
"""
