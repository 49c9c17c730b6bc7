"""The one error type users see, and the exit codes of DESIGN.md."""

from __future__ import annotations

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM (128 + SIGINT, as shells report it)


class AicheckError(Exception):
    """A problem the user can fix: bad input, bad config, missing path.

    The message says what went wrong and what to do next; no traceback is shown.
    """

    exit_code = EXIT_USAGE


class ConfigError(AicheckError):
    """The configuration file is wrong; the message names the file and the key."""
