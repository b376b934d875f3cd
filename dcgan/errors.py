"""The one exception the command-line tools turn into a one-line message and exit status 2."""


class UserError(Exception):
    """Bad input from the user: a missing folder, an unreadable file, a mismatched checkpoint."""
