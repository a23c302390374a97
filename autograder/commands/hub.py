"""``python -m autograder hub``: the course on JupyterHub, on this server, in one command.

Checks everything first and refuses with the whole list of problems (nothing is changed then);
otherwise creates the missing unix users, the exchange's course folder (and the exchange root
with ``--create-exchange``), the instructor's course directory and the generated configuration,
then runs JupyterHub on ``http://IP:PORT`` until Ctrl-C. See "Running a course" in README.md.
"""

import argparse
import sys
from pathlib import Path

from autograder.hub.settings import DEFAULT_EXCHANGE, DEFAULT_STATE, HubSettings, HubSetupError, read_roster

# The course of the kit this command runs from (its home's copy when run from /opt/nn-course-kit/venv).
KIT_COURSE = Path(__file__).resolve().parents[2] / "course"


def add_arguments(parser):
    """The hub's options on ``parser`` (a subparser of ``python -m autograder`` or its own)."""
    parser.add_argument("--instructor", default=None, help="unix user who owns the course and grades")
    parser.add_argument("--students", default=None, metavar="A,B,C", help="unix users who take the course")
    parser.add_argument("--roster", default=None, metavar="FILE",
                        help="one student a line and a line 'instructor NAME' (instead of the two options above)")
    parser.add_argument("--no-create-users", action="store_true",
                        help="refuse instead of creating missing users with useradd")
    parser.add_argument("--exchange", type=Path, default=DEFAULT_EXCHANGE,
                        help=f"nbgrader's exchange root, shared by all users (default: {DEFAULT_EXCHANGE})")
    parser.add_argument("--create-exchange", action="store_true", help="create the exchange root when it is missing")
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE,
                        help=f"the hub's own folder: database, secrets, generated configuration "
                             f"(default: {DEFAULT_STATE})")
    parser.add_argument("--course", type=Path, default=KIT_COURSE,
                        help="the kit's course whose nbgrader_config.py and due_dates.toml start a new course "
                             "directory; the lessons beside it (source_notebooks/) are copied into the course "
                             f"directory at every start (default: {KIT_COURSE})")
    parser.add_argument("--course-dir", type=Path, default=None,
                        help="the instructor's nbgrader course root (default: ~INSTRUCTOR/course)")
    parser.add_argument("--python", type=Path, default=Path(sys.executable),
                        help="interpreter of the environment every user's server and kernel runs "
                             "(default: this one, the kit's venv)")
    parser.add_argument("--ip", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port students connect to (default: 8000)")
    parser.add_argument("--hub-port", type=int, default=8081, help="the hub's internal port (default: 8081)")
    parser.add_argument("--proxy-api-port", type=int, default=8001, help="the proxy's API port (default: 8001)")
    parser.add_argument("--check", action="store_true", help="only check the settings; change nothing")
    # `python -m autograder` builds a Course from these for every subcommand
    parser.set_defaults(source_notebooks=None, solutions=None)
    return parser


def settings_from(arguments):
    """The :class:`HubSettings` of the command line (a roster file, then the options)."""
    instructor, students = arguments.instructor, []
    if arguments.roster:
        roster_instructor, students = read_roster(arguments.roster)
        instructor = instructor or roster_instructor
    if arguments.students:
        students += [name.strip() for name in arguments.students.split(",") if name.strip()]
    if not instructor:
        raise HubSetupError("no instructor: pass --instructor NAME (or a line 'instructor NAME' in --roster)")
    return HubSettings(instructor=instructor, students=tuple(students), exchange=arguments.exchange.absolute(),
                       state=arguments.state.absolute(),
                       course_dir=arguments.course_dir.absolute() if arguments.course_dir else None,
                       python=arguments.python, ip=arguments.ip, port=arguments.port, hub_port=arguments.hub_port,
                       proxy_api_port=arguments.proxy_api_port, create_users=not arguments.no_create_users,
                       create_exchange=arguments.create_exchange)


def run(arguments):
    """Check, set up and serve; 0 after Ctrl-C. Raises HubSetupError (exit code 2) on a refusal."""
    from autograder.hub.server import HubProcess, make_plan, set_up
    from autograder.hub.users import open_homes

    settings = settings_from(arguments)
    plan = make_plan(settings, arguments.course)
    plan.refuse_if_wrong()
    if arguments.check:
        print(f"ok: {settings!r}, course {plan.course_id!r} in {plan.course_root}")
        return 0
    config = set_up(plan)
    for name, home in open_homes(settings.users):
        print(f"warning: {name}'s home {home} is readable by other users (chmod 700 {home})", file=sys.stderr)
    hub = HubProcess(plan, config)
    seconds = hub.start()
    print(f"JupyterHub for {plan.course_id!r} on {hub.url} (started in {seconds:.1f} s; log: {hub.log_path})\n"
          f"instructor {settings.instructor}: course directory {plan.course_root}\n"
          f"students: {', '.join(settings.students)}\nexchange: {settings.exchange}\nCtrl-C stops the hub.")
    try:
        hub.wait()
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
    return 0


def cli_entry(course, arguments, progress):
    """``COMMANDS["hub"]`` of :mod:`autograder.commands.cli` (the course there is unused: see --course-dir)."""
    return run(arguments)


def main(argv=None):
    parser = add_arguments(argparse.ArgumentParser(prog="python -m autograder hub", description=__doc__,
                                                   formatter_class=argparse.RawDescriptionHelpFormatter))
    try:
        return run(parser.parse_args(argv))
    except HubSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
