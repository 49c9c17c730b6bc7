"""``aicheck scan``: parse options, run the scanner, hand the result to a renderer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from aicheck.cli.common import (
    Common, ConfigOpt, ExitZeroOpt, Format, FormatOpt, NoColorOpt, OutputOpt, QuietOpt, VerboseOpt,
    emit, exit_code, guarded,
)


@guarded
def scan(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files or folders to scan (default: .); '-' reads stdin.", show_default=False)] = None,
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
    """Find exposed credentials in files, folders or stdin."""
    from aicheck.output import render_scan
    from aicheck.scan.run import run_scan

    common = Common(config, format.value, output, quiet, verbose, no_color, exit_zero)
    targets = paths or ["."]
    stdin = sys.stdin.buffer.read() if targets == ["-"] else None
    result, rules = run_scan(
        [Path(p) for p in targets], config, stdin=stdin, exclude=exclude or [], max_file_size=max_file_size
    )
    if not (quiet and not result.findings):
        emit(common, render_scan(result, common.format, rules=rules, show_secrets=show_secrets, color=common.color, verbose=verbose))
    return exit_code(common, bool(result.findings))
