"""Ctrl-C and SIGTERM end any command the same way: exit 130, one line, no traceback.

SIGTERM (what CI runners and ``timeout`` send) is turned into the KeyboardInterrupt that
Ctrl-C raises, so one code path cleans up (worker processes terminated, git children killed).
After the first signal further ones are ignored: a second Ctrl-C must not interrupt the cleanup
and print a traceback.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from aicheck.errors import EXIT_INTERRUPTED


def _interrupt(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


@contextmanager
def handled() -> Iterator[None]:
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    except KeyboardInterrupt:  # outside a command's own handler (start-up, argument parsing)
        print("aicheck: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
