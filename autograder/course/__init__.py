"""The course the grader works on: where its folders and gradebook are, its due dates, its processes' environment.

- :mod:`.directory`: the nbgrader course root, its configuration, the gradebook, nbgrader's API.
- :mod:`.due_dates`: the course's due-date file and the one late-penalty policy.
- :mod:`.environment`: tools on PATH, BLAS threads and the clean environment of grading processes.
- :mod:`.text_tables`: plain-text tables as the commands and the similarity report print them.

This room imports only nbgrader and the standard library; every other room may import it.
"""
