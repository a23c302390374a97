"""A course on JupyterHub: one server, local unix users, nbgrader's exchange, a role per user.

``python -m autograder hub`` (:mod:`autograder.commands.hub`) checks everything first, then writes
and starts. The modules, in the order the command uses them:

- :mod:`.settings`: who takes part and where things live (:class:`HubSettings`), the roster file,
  and :class:`HubSetupError`, the one kind of refusal (it names the setting and the fix);
- :mod:`.environment`: the Python environment every user's server and kernel runs (the kit's venv),
  checked to be usable by users other than its owner;
- :mod:`.kit_home` (``make hub-env``, not used by the command): installs that environment, a
  root-owned copy of the kit in ``/opt/nn-course-kit`` with its venv, wherever the checkout is;
- :mod:`.users`: the unix accounts (checked, created with ``useradd`` when missing, removed by tests);
- :mod:`.exchange`: nbgrader's exchange folder with the permissions nbgrader's own exchange sets;
- :mod:`.roles`: the Jupyter configuration of each role (students: no Formgrader, no Create
  Assignment, no Course List; the instructor: the Formgrader on the course directory);
- :mod:`.proxy`: JupyterHub's ``configurable-http-proxy``, installed from npm under ``proxy/``;
- :mod:`.hub_config`: the generated ``jupyterhub_config.py``;
- :mod:`.server`: the plan (every check, nothing written), the set-up, the hub process.

May import: ``autograder.course`` only (the course's configuration file and :class:`CourseError`);
:mod:`.kit_home` the standard library only (it runs before any venv exists).
"""
