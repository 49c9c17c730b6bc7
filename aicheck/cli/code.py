"""``aicheck code``: parse options, check the app's LLM call sites, hand the result to a renderer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aicheck.cli.common import (
    Common, ConfigOpt, ExitZeroOpt, Format, FormatOpt, NoColorOpt, OutputOpt, QuietOpt, VerboseOpt,
    emit, exit_code, guarded,
)


@guarded
def code(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders to check (default: .).", show_default=False)] = None,
    disable: Annotated[Optional[list[str]], typer.Option("--disable", help="Skip this rule (repeatable; adds to [code] disable_rules).", show_default=False)] = None,
    config: ConfigOpt = None,
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> int:
    """Production-readiness checks of the app's own LLM call sites (Python, JavaScript, TypeScript):
    timeouts, retries, output caps, keys in browser code, user input in system prompts, model output
    into eval/SQL/HTML, error handling in request handlers, agent loops, a fallback provider."""
    from aicheck.code.run import CodeRequest, run_code
    from aicheck.output.code import render_code

    common = Common(config, format.value, output, quiet, verbose, no_color, exit_zero)
    result = run_code(CodeRequest(paths or [Path(".")], config, disable or []))
    failing = [item for item in result.findings if item.severity != "info"]
    if not (quiet and not result.findings):
        emit(common, render_code(result, common.format, color=common.color, verbose=verbose))
    return exit_code(common, bool(failing))
