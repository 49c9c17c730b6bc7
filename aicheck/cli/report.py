"""``aicheck report``: parse options, run the checks (or read saved results), render the report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from aicheck.cli.common import (
    Common, ConfigOpt, ExitZeroOpt, NoColorOpt, OutputOpt, QuietOpt, VerboseOpt, emit, exit_code, guarded,
)
from aicheck.errors import AicheckError


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


class PartName(str, Enum):
    scan = "scan"
    env = "env"
    keys = "keys"
    smoke = "smoke"
    code = "code"


@guarded
def report(
    files: Annotated[Optional[list[Path]], typer.Argument(help="With --from: more saved results (aicheck report --from scan.json env.json).", show_default=False, metavar="[FILE]...")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Nothing over the network: no key validation, no smoke.")] = False,
    skip: Annotated[Optional[list[PartName]], typer.Option("--skip", help="Leave this part out (repeatable).", case_sensitive=False, show_default=False)] = None,
    from_: Annotated[Optional[list[Path]], typer.Option("--from", help="Build the report from JSON results saved earlier by scan, env check, keys validate and smoke (--format json), instead of running them.", dir_okay=False, show_default=False, metavar="FILE")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Smoke sends every prompt: no answer from the response cache (so latency is measured).")] = False,
    fail_under: Annotated[Optional[int], typer.Option("--fail-under", min=0, max=100, help="Exit 1 when the score is below N.", metavar="N", show_default=False)] = None,
    config: ConfigOpt = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format (html: one self-contained file with charts).", case_sensitive=False)] = ReportFormat.text,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> int:
    """Run scan, env check, key validation and smoke, and print one health report with a score."""
    from aicheck.output.report import render_report
    from aicheck.report import ReportRequest, run_report

    if files and not from_:
        raise AicheckError(f"unexpected argument {files[0]}: to build the report from saved results, use --from FILE ...")
    common = Common(config, format.value, output, quiet, verbose, no_color, exit_zero)
    request = ReportRequest(
        root=Path.cwd(), config=config, offline=offline, skip=[part.value for part in skip or []],
        from_files=[*(from_ or []), *(files or [])], fail_under=fail_under, use_cache=not no_cache,
    )
    with _progress(common) as request.progress:
        result = run_report(request)
    if not (quiet and not result.failed):
        emit(common, render_report(result, common.format, color=common.color))
    return exit_code(common, result.failed)


@contextmanager
def _progress(common: Common) -> Iterator[Callable[[str], None] | None]:
    """Which check is running, on stderr, for people at a terminal; nothing otherwise."""
    if not common.interactive:
        yield None
        return
    from rich.console import Console

    with Console(stderr=True).status("Starting") as status:
        yield lambda name: status.update(f"Running {name}")
