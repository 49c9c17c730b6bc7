"""``aicheck keys``: the provider catalog and live key validation."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from aicheck.config import Config
    from aicheck.validate import KeyReport
    from aicheck.validate.engine import Settings

from aicheck.cli.common import (
    Common, ConfigOpt, ExitZeroOpt, ListFormat, ListFormatOpt, LiveFormat, LiveFormatOpt, NoColorOpt, OutputOpt, QuietOpt, VerboseOpt, emit, exit_code,
    guarded,
)

app = typer.Typer(help="Provider keys: list the catalog, validate keys.", no_args_is_help=True, rich_markup_mode=None)


@app.command("providers")
@guarded
def providers(
    config: ConfigOpt = None,
    format: ListFormatOpt = ListFormat.text,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> int:
    """List providers, their key formats and env var names (from the catalog, with the config's [providers.<id>])."""
    import dataclasses

    from aicheck import catalog
    from aicheck import config as config_mod
    from aicheck.output.providers import render_providers
    from aicheck.validate.endpoints import known_providers

    common = Common(config, format.value, output, quiet, verbose, no_color, exit_zero)
    cfg = config_mod.load(Path.cwd(), config)
    listed = known_providers(cfg.section("providers"), cfg.data.get("chain", []))
    shown = dataclasses.replace(catalog.load(), providers=tuple(listed.values()))
    emit(common, render_providers(shown, common.format, color=common.color))
    return 0


@app.command("validate")
@guarded
def validate(
    keys: Annotated[Optional[list[str]], typer.Argument(help="Keys to check; '-' reads keys from stdin, one a line (none given: the app's keys, from the environment, then the .env files env check finds).", show_default=False)] = None,
    provider: Annotated[Optional[str], typer.Option("--provider", "-p", help="Check every key against this provider (default: detected from the key format or variable name).")] = None,
    env_file: Annotated[Optional[list[Path]], typer.Option("--env-file", help="Read keys from this .env file (repeatable).", dir_okay=False)] = None,
    from_env: Annotated[bool, typer.Option("--from-env", help="Read keys from the environment (provider variables such as OPENAI_API_KEY).")] = False,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64, help="Requests in flight at once.")] = 8,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds to wait for each answer.")] = 10.0,
    retries: Annotated[int, typer.Option("--retries", min=0, max=10, help="Retries after a timeout, a connection error, a 5xx or a 529.")] = 2,
    probe: Annotated[bool, typer.Option("--probe", help="Also send each working key one billed completion of one output token on its provider's cheapest model (finds empty balances and model restrictions); the cost is stated first.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --probe: spend without asking.")] = False,
    config: ConfigOpt = None,
    format: LiveFormatOpt = LiveFormat.text,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> int:
    """Check keys live with each provider's zero-cost endpoint: valid, invalid, out of credit, ..."""
    from aicheck import config as config_mod
    from aicheck.output.common import require_format
    from aicheck.output.keys import FORMATS, render_keys
    from aicheck.validate import collect_keys, run_validation
    from aicheck.validate.engine import Settings

    common = Common(config, format.value, output, quiet, verbose, no_color, exit_zero)
    require_format(common.format, FORMATS, "keys validate")  # said before any key is sent
    cfg = config_mod.load(Path.cwd(), config)
    stdin = sys.stdin.buffer if "-" in (keys or []) else None
    found = collect_keys(keys or [], cfg, stdin=stdin, env_files=env_file or [], from_env=from_env, provider=provider, app_root=Path.cwd())
    settings = Settings(concurrency=concurrency, timeout=timeout, retries=retries)
    with _progress(common, len(found.keys)) as advance:
        report = run_validation(found.keys, cfg, env={**found.variables, **os.environ}, settings=settings, progress=advance)
    if probe:
        report = _probe(report, cfg, {**found.variables, **os.environ}, settings, yes or False, stdin is not None)
    if not (quiet and not report.failed):
        emit(common, render_keys(report, common.format, color=common.color, verbose=verbose))
    return exit_code(common, report.failed)


def _probe(report: KeyReport, cfg: Config, env: dict[str, str], settings: Settings, yes: bool, piped: bool) -> KeyReport:
    """State the cost, ask (or take --yes), then probe; declining sends nothing more."""
    from aicheck.errors import AicheckError
    from aicheck.validate import plan_probes, run_probes
    from aicheck.validate.probe import statement

    probes = plan_probes(report, cfg)
    if not probes:
        print("--probe: no working key of a provider with a priced chat model; nothing sent.", file=sys.stderr)
        return report
    print(statement(probes), file=sys.stderr)
    if not yes:
        if piped or not sys.stdin.isatty():
            raise AicheckError("--probe spends money: add --yes to confirm (no completion was sent)")
        if not typer.confirm("Send them?", default=False, err=True):
            print("--probe: not sent.", file=sys.stderr)
            return report
    return run_probes(report, probes, cfg, env=env, settings=settings)


@contextmanager
def _progress(common: Common, total: int) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for people at a terminal; nothing otherwise."""
    if not common.interactive or total < 2:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Checking keys", total=total)
        yield lambda done, _total: bar.update(task, completed=done)
