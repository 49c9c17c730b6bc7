"""``aicheck scan``: parse options, run the scanner, hand the result to a renderer."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from aicheck.cli.common import (
    Common, ConfigOpt, ExitZeroOpt, Format, FormatOpt, NoColorOpt, OutputOpt, QuietOpt, VerboseOpt,
    emit, exit_code, guarded,
)


@guarded
def scan(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files or folders to scan (default: .); '-' reads stdin.", show_default=False)] = None,
    history: Annotated[bool, typer.Option("--history", help="Scan every commit reachable from any ref; each finding names the commit that introduced it.")] = False,
    since: Annotated[Optional[str], typer.Option("--since", help="With --history: only commits not reachable from this ref (implies --history).", metavar="REF")] = None,
    staged: Annotated[bool, typer.Option("--staged", help="Scan only what is staged for the next commit (the pre-commit case).")] = False,
    baseline: Annotated[Optional[Path], typer.Option("--baseline", help="Hide the findings recorded in this baseline file.", dir_okay=False)] = None,
    write_baseline: Annotated[Optional[Path], typer.Option("--write-baseline", help="Record the current findings in this baseline file.", dir_okay=False)] = None,
    verify: Annotated[bool, typer.Option("--verify", help="Check each found key live with its provider (zero-cost request) and show its status.")] = False,
    show_secrets: Annotated[bool, typer.Option("--show-secrets", help="Print secrets in full (local use only; never in CI logs).")] = False,
    exclude: Annotated[Optional[list[str]], typer.Option("--exclude", "-e", help="Skip paths matching this glob (gitignore semantics); repeatable, adds to [scan] exclude.")] = None,
    max_file_size: Annotated[Optional[str], typer.Option("--max-file-size", help='Skip files larger than this (e.g. "5MB"; default from [scan] or 5MB).')] = None,
    config: ConfigOpt = None,
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> int:
    """Find exposed credentials in files, folders, stdin, the staged change or git history."""
    from aicheck.output import render_scan
    from aicheck.scan.run import ScanRequest, run_scan

    common = Common(config, format.value, output, quiet, verbose, no_color, exit_zero)
    targets = paths or ["."]
    request = ScanRequest(
        paths=[Path(p) for p in targets], config=config, exclude=exclude or [], max_file_size=max_file_size,
        history=history, since=since, staged=staged, baseline=baseline, write_baseline=write_baseline,
        verify=verify,
    )
    if targets == ["-"]:
        request.paths, request.stdin = [Path(".")], sys.stdin.buffer.read()
    with _progress(common.interactive and targets != ["-"], "blobs" if history or since else "files") as request.progress:
        result, rules = run_scan(request)
    for warning in result.warnings:
        print(f"aicheck: warning: {warning}", file=sys.stderr)
    if not (quiet and not result.findings):
        emit(common, render_scan(result, common.format, rules=rules, show_secrets=show_secrets, color=common.color, verbose=verbose))
    if write_baseline is not None:
        return 0  # the findings are recorded, which is what was asked: not a failure
    return exit_code(common, any(f.severity != "info" for f in result.findings))  # info: aicheck.severity


@contextmanager
def _progress(enabled: bool, what: str) -> Iterator[Callable[[int, int, int], None] | None]:
    """A progress bar on stderr for a scan that runs past a second and a half on a terminal."""
    if not enabled:
        yield None
        return
    bar = _LazyBar(what)
    try:
        yield bar.update
    finally:
        bar.stop()


class _LazyBar:
    DELAY_S = 1.5

    def __init__(self, what: str) -> None:
        self.what = what
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def update(self, done: int, total: int, read: int) -> None:
        elapsed = time.monotonic() - self.started
        if self.bar is None:
            if elapsed < self.DELAY_S:
                return
            self._start()
        rate = f"{read / max(elapsed, 1e-6) / 1e6:.1f} MB/s"
        self.bar.update(self.task, completed=done, total=total, rate=rate)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn(f"scanning {self.what}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(), console=Console(stderr=True), transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task(self.what, total=None, rate="")

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
