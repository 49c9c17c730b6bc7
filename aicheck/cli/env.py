"""``aicheck env``: parse options, run the env checks, hand the result to a renderer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aicheck.cli.common import (
    Common, ConfigOpt, ExitZeroOpt, Format, FormatOpt, NoColorOpt, OutputOpt, QuietOpt, VerboseOpt,
    emit, exit_code, guarded,
)

app = typer.Typer(help="Environment files: lint and audit .env files and client-exposed configuration.", no_args_is_help=True, rich_markup_mode=None)


@app.command("check")
@guarded
def check(
    production: Annotated[bool, typer.Option("--production", help="Also check what a production deploy loads: debug flags, NODE_ENV, localhost URLs, weak secrets.")] = False,
    file: Annotated[Optional[list[Path]], typer.Option("--file", help="Check this .env file (repeatable; default: [env] files, else .env and .env.* in this folder).", dir_okay=False, show_default=False)] = None,
    example: Annotated[Optional[Path], typer.Option("--example", help="The example file to compare with (default: [env] example, else .env.example).", dir_okay=False, show_default=False)] = None,
    config: ConfigOpt = None,
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> int:
    """Lint and audit .env files: syntax, drift from .env.example, placeholders, key formats,
    secrets a front-end would publish, git tracking, production settings, dotenvx values."""
    from aicheck.env.run import EnvRequest, run_env
    from aicheck.output.env import render_env

    common = Common(config, format.value, output, quiet, verbose, no_color, exit_zero)
    request = EnvRequest(root=Path.cwd(), config=config, files=file or [], example=example, production=production)
    result = run_env(request)
    if not (quiet and not result.findings):
        emit(common, render_env(result, common.format, color=common.color, verbose=verbose))
    return exit_code(common, any(f.severity != "info" for f in result.findings))  # info: aicheck.severity
