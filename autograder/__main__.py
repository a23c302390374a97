"""``python -m autograder SUBCOMMAND``: see :mod:`autograder.commands.cli`."""

from autograder.commands.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
