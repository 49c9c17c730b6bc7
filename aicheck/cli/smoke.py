"""``aicheck smoke``: parse options, run the smoke prompts through the chain, render the report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from aicheck.cli.common import (
    Common, ConfigOpt, ExitZeroOpt, LiveFormat, LiveFormatOpt, NoColorOpt, OutputOpt, QuietOpt, VerboseOpt, emit, exit_code,
    guarded,
)


@guarded
def smoke(
    prompt: Annotated[Optional[list[str]], typer.Option("--prompt", "-p", help="Run only the [[smoke]] prompt of this name (repeatable).", metavar="NAME")] = None,
    drill: Annotated[Optional[list[str]], typer.Option("--drill", help="Make this chain entry fail without a request, to prove the next one takes over: its name, provider/model, or a provider id for all of its entries (repeatable).", metavar="ENTRY")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the response cache: every prompt is sent.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Clear the circuit breakers and the response cache first (after an outage is over).")] = False,
    config: ConfigOpt = None,
    format: LiveFormatOpt = LiveFormat.text,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> int:
    """Run the smoke prompts through the configured fallback chain: answers, fallbacks, latency, cost."""
    from aicheck import config as config_mod
    from aicheck.output.common import require_format
    from aicheck.output.smoke import FORMATS, render_smoke
    from aicheck.smoke import SmokeOptions, run_smoke

    common = Common(config, format.value, output, quiet, verbose, no_color, exit_zero)
    require_format(common.format, FORMATS, "smoke")  # said before any prompt is sent
    cfg = config_mod.load(Path.cwd(), config)
    with _progress(common) as advance:
        report = run_smoke(cfg, SmokeOptions(prompts=prompt or (), drills=drill or (), use_cache=not no_cache, progress=advance, reset=reset))
    if not (quiet and not report.failed):
        emit(common, render_smoke(report, common.format, color=common.color, verbose=verbose))
    return exit_code(common, report.failed)


@contextmanager
def _progress(common: Common) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for people at a terminal; nothing otherwise."""
    if not common.interactive:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Smoke prompts", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
