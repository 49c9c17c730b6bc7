"""``aicheck keys``: the provider catalog and (later) live key validation."""

from __future__ import annotations

import typer

from aicheck.cli.common import Common, ExitZeroOpt, Format, FormatOpt, NoColorOpt, OutputOpt, QuietOpt, VerboseOpt, emit, guarded

app = typer.Typer(help="Provider keys: list the catalog, validate keys.", no_args_is_help=True)


@app.command("providers")
@guarded
def providers(
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> int:
    """List providers, their key formats and env var names (from the catalog)."""
    from aicheck import catalog
    from aicheck.output.providers import render_providers

    common = Common(None, format.value, output, quiet, verbose, no_color, exit_zero)
    emit(common, render_providers(catalog.load(), common.format, color=common.color))
    return 0
