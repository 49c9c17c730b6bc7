"""``aicheck catalog``: refresh what aicheck knows about models (prices, deprecation dates)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from aicheck.cli.common import (
    Common, ConfigOpt, ExitZeroOpt, ListFormat, ListFormatOpt, NoColorOpt, OutputOpt, QuietOpt, VerboseOpt, emit, guarded,
)

app = typer.Typer(help="The model catalog: prices and deprecation dates.", no_args_is_help=True, rich_markup_mode=None)


@app.command("update")
@guarded
def update(
    url: Annotated[Optional[str], typer.Option("--url", help="Where to read LiteLLM's model map (default: AICHECK_CATALOG_URL, then BerriAI/litellm on GitHub). https only, or http to loopback.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=1.0, help="Seconds to wait for the download.")] = 30.0,
    config: ConfigOpt = None,
    format: ListFormatOpt = ListFormat.text,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> int:
    """Fetch LiteLLM's published model map (prices, context windows, deprecation dates), check it
    and keep it in the user cache; every command then uses it instead of the shipped prices."""
    from aicheck.catalog.update import source_url
    from aicheck.catalog.update import update as run_update
    from aicheck.output import envelope

    common = Common(config, format.value, output, quiet, verbose, no_color, exit_zero)
    done = run_update(source_url(url), timeout)
    if common.format == "json":
        row = {"source": done.source, "fetched": done.fetched, "path": str(done.path), "providers": done.providers}
        emit(common, json.dumps(envelope("catalog update", "results", [row], {"models": done.models}), indent=2))
    elif common.format == "markdown":
        emit(common, f"| models | providers | source | fetched |\n|---:|---:|---|---|\n"
                     f"| {done.models} | {len(done.providers)} | {done.source} | {done.fetched} |")
    elif not quiet:
        emit(common, f"Stored {done.models} models of {len(done.providers)} providers from {done.source}\nin {done.path} ({done.fetched}).")
    return 0
