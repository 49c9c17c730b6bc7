"""Worker processes that stop when the scan stops.

A scan split across processes must end as a whole on Ctrl-C or SIGTERM (DESIGN.md, exit 130):
workers ignore SIGINT (the terminal sends it to the whole process group; only the parent
decides), keep SIGTERM's default (die at once), and the parent terminates them on any
exception instead of waiting for the queued work as ``ProcessPoolExecutor``'s shutdown does.
A worker's ``git cat-file`` child ends with it: its pipes close.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool
from typing import Any


def _init(initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    initializer(*initargs)


@contextmanager
def pool(workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> Iterator[Pool]:
    gc.freeze()  # the parent's objects stay shared: the workers' GC would otherwise copy every page
    workers_pool = multiprocessing.get_context(_start_method()).Pool(workers, _init, (initializer, initargs))
    gc.unfreeze()  # the workers are forked by now
    try:
        yield workers_pool
    except BaseException:
        workers_pool.terminate()
        workers_pool.join()
        raise
    workers_pool.close()
    workers_pool.join()


def _start_method() -> str:
    # fork starts a worker in milliseconds and shares the parsed catalog; forkserver where fork
    # is missing (macOS spawns by default, Windows has neither).
    methods = multiprocessing.get_all_start_methods()
    return "fork" if "fork" in methods else methods[0]
