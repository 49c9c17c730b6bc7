"""What every command shares: the common flags, colour rules, writing output, exit codes."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from aicheck.errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_INTERRUPTED, AicheckError


class Format(str, Enum):
    """scan and env check: findings with a place in a file, so SARIF too."""

    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    markdown = "markdown"


class LiveFormat(str, Enum):
    """keys validate and smoke: results without a place in a file, so no SARIF."""

    text = "text"
    json = "json"
    junit = "junit"
    github = "github"
    markdown = "markdown"


class ListFormat(str, Enum):
    """keys providers and init: a listing."""

    text = "text"
    json = "json"
    markdown = "markdown"


ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="Config file (default: aicheck.toml or [tool.aicheck] in pyproject.toml).", dir_okay=False)]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]
LiveFormatOpt = Annotated[LiveFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]
ListFormatOpt = Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the output to this file instead of stdout.", dir_okay=False)]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing when there is nothing to report.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Say more: skipped files, timings, tracebacks of internal errors.")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="No colour, even on a terminal (NO_COLOR and FORCE_COLOR are honoured).")]
ExitZeroOpt = Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings (errors still exit 2 or 3).")]


@dataclass(frozen=True)
class Common:
    config: Path | None
    format: str
    output: Path | None
    quiet: bool
    verbose: bool
    no_color: bool
    exit_zero: bool

    @property
    def color(self) -> bool:
        """Colour only in text on a terminal, unless NO_COLOR, --no-color or FORCE_COLOR say otherwise."""
        if self.format != "text" or self.no_color or "NO_COLOR" in os.environ:
            return False
        if os.environ.get("FORCE_COLOR"):
            return True
        return self.output is None and sys.stdout.isatty()

    @property
    def interactive(self) -> bool:
        """Progress bars and spinners: text format on a terminal only."""
        return self.format == "text" and sys.stderr.isatty() and not self.quiet


def emit(common: Common, text: str) -> None:
    if common.output is not None:
        try:
            common.output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        except OSError as exc:
            raise AicheckError(f"{common.output}: cannot write output: {exc.strerror}") from None
        return
    try:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:  # a full disk, /dev/full, a closed stdout
        _silence_stdout()
        raise AicheckError(f"cannot write the output to stdout: {exc.strerror or exc}") from None


def _silence_stdout() -> None:
    """Python flushes stdout again at exit; what could not be written must not fail twice."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def exit_code(common: Common, failed: bool) -> int:
    """The one place a result becomes an exit code (DESIGN.md, "Exit codes")."""
    if failed and not common.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def guarded(command: Callable[..., int]) -> Callable[..., None]:
    """The one error handler: user errors print a message (exit 2), the unexpected exit 3.

    Usage errors (unknown flag, bad value) are typer's, and exit 2 too.
    """

    @functools.wraps(command)
    def run(*args: object, **kwargs: object) -> None:
        try:
            code = command(*args, **kwargs)
        except AicheckError as exc:
            print(f"aicheck: error: {exc}", file=sys.stderr)
            code = exc.exit_code
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (aicheck.interrupt): workers are gone already
            print("aicheck: interrupted", file=sys.stderr)
            code = EXIT_INTERRUPTED
        except BrokenPipeError:
            code = EXIT_CLEAN
        except Exception as exc:  # noqa: BLE001 - the one handler for the unexpected
            code = _internal_error(exc, verbose=bool(kwargs.get("verbose")))
        raise typer.Exit(code)

    return run


def _internal_error(exc: Exception, verbose: bool) -> int:
    if verbose:
        import traceback

        traceback.print_exc()
    hint = "" if verbose else " (run again with --verbose for the traceback)"
    print(f"aicheck: internal error: {type(exc).__name__}: {exc}{hint}", file=sys.stderr)
    return EXIT_INTERNAL
