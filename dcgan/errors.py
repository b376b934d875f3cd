"""The one exception the command-line tools turn into a one-line message and exit status 2."""


class UserError(Exception):
    """Bad input from the user: a missing folder, an unreadable file, a mismatched checkpoint."""


def name_some(paths, limit=5):
    """'a, b, c and 7 more': file lists in one-line messages stay one readable line."""
    paths = list(paths)
    shown = ", ".join(paths[:limit])
    return shown if len(paths) <= limit else f"{shown} and {len(paths) - limit} more"
