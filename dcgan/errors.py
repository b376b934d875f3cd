"""The one exception the command-line tools turn into a one-line message and exit status 2."""

import os


class UserError(Exception):
    """Bad input from the user: a missing folder, an unreadable file, a mismatched checkpoint."""


class OptionError(UserError):
    """A bad value of one option, named by its field (`center_scale`), not by a flag.

    The library does not know which tool it runs in; each tool's error line turns the
    field into its own flag (`--centerScale must be in [0, 0.5], not 0.7`, see `cli.fail`).
    """

    def __init__(self, option, problem):
        super().__init__(f"{option} {problem}")
        self.option = option
        self.problem = problem


def name_some(paths, limit=5):
    """'a, b, c and 7 more': file lists in one-line messages stay one readable line."""
    paths = list(paths)
    shown = ", ".join(paths[:limit])
    return shown if len(paths) <= limit else f"{shown} and {len(paths) - limit} more"


def unreadable(paths):
    """The UserError for inputs that do not open: 'no such file' when none exists."""
    missing = [path for path in paths if not os.path.exists(path)]
    what = "no such file" if len(missing) == len(paths) else "not an image (or does not decode)"
    return UserError(f"{paths[0]}: {what}" if len(paths) == 1 else f"{what}: {name_some(paths)}")
