"""``aicheck sweep``: parse options, run the sweep on Dask, hand the result to a renderer."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from aicheck.cli.common import Common, ConfigOpt, ExitZeroOpt, NoColorOpt, OutputOpt, QuietOpt, VerboseOpt, emit, exit_code, guarded

if TYPE_CHECKING:
    from aicheck.sweep.engine import Progress


class SweepFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    html = "html"


@guarded
def sweep(
    sources: Annotated[list[str], typer.Argument(help="A file listing repository URLs or paths (one a line), a folder of repositories, github:ORG or gitlab:GROUP.", show_default=False, metavar="SOURCES...")],
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="A Dask scheduler to run on (tcp://host:8786; default DASK_SCHEDULER_ADDRESS, else a local cluster).", metavar="ADDRESS")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", "-w", min=1, help="Workers of the local cluster (default: one per core).")] = None,
    cache: Annotated[Optional[Path], typer.Option("--cache", help="Folder of the bare mirrors (default: sweep-cache in the state folder).", file_okay=False)] = None,
    verify: Annotated[bool, typer.Option("--verify", help="Check each distinct key found live, once for the whole sweep (zero-cost requests).")] = False,
    archived: Annotated[bool, typer.Option("--archived", help="Include the organisation's archived repositories.")] = False,
    forks: Annotated[bool, typer.Option("--forks", help="Include the organisation's forks.")] = False,
    range_size: Annotated[int, typer.Option("--range-size", min=100, help="Commits per task: a longer history is split so one huge repository does not hold the sweep back.")] = 5000,
    fresh: Annotated[bool, typer.Option("--fresh", help="Start a new sweep instead of resuming an interrupted one of the same sources.")] = False,
    config: ConfigOpt = None,
    format: Annotated[SweepFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)] = SweepFormat.text,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> int:
    """Scan the git history of many repositories on Dask: a list, a folder, or an organisation."""
    from aicheck.sweep import require_dask

    require_dask()
    from aicheck.sweep.engine import SweepRequest, run_sweep
    from aicheck.sweep.render import render
    from aicheck.state import project_root
    from aicheck.sweep.sources import Selection

    common = Common(config, format.value, output, quiet, verbose, no_color, exit_zero)
    request = SweepRequest(
        sources=sources, root=project_root(Path(".").resolve(), config), config=config, selection=Selection(archived, forks),
        scheduler=scheduler, workers=workers, cache=cache, verify=verify, range_size=range_size, fresh=fresh,
    )
    if common.interactive or verbose:
        request.on_dashboard = lambda link: print(f"Dask dashboard: {link}", file=sys.stderr)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with _progress(common.interactive) as request.progress:
            result = run_sweep(request)
    except KeyboardInterrupt:
        print("aicheck: sweep interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not (quiet and not result.failed):
        emit(common, render(result, common.format))
    return exit_code(common, result.failed)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM ends a sweep as Ctrl-C does: the cluster is closed, progress is kept."""
    raise KeyboardInterrupt


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[Progress], None] | None]:
    """Repositories done, commits per second and ETA on a terminal; nothing otherwise."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

    with Bar(TextColumn("repositories"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
             TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("sweep", total=None, rate="")

        def update(p: Progress) -> None:
            rate = p.commits_per_second
            left = max(p.commits_planned - p.commits_done, 0)
            eta = f", ETA {time.strftime('%H:%M:%S', time.gmtime(left / rate))}" if rate > 0 and p.commits_planned else ""
            bar.update(task, completed=p.repos_done, total=p.repos_total, rate=f"{rate:,.0f} commits/s{eta}")

        yield update
