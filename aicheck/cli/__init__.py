"""The command line: parsing and dispatch only. Each command group has its own module."""

from __future__ import annotations

import errno
import io
import sys
from typing import TYPE_CHECKING

import aicheck

if TYPE_CHECKING:
    import typer


def _build_app() -> typer.Typer:
    import typer

    from aicheck.cli import catalog, code, env, init, keys, report, scan, smoke, sweep, trust

    app = typer.Typer(
        name="aicheck",
        help="Production readiness checks for AI applications: exposed keys, live keys, env config, fallback chains.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # help texts name [[smoke]] and [tool.aicheck]: not markup
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def root(
        version: bool = typer.Option(False, "--version", "-V", help="Print the version and exit."),
    ) -> None:
        """Production readiness checks for AI applications."""
        if version:
            typer.echo(f"aicheck {aicheck.__version__}")
            raise typer.Exit()

    app.command("scan")(scan.scan)
    app.add_typer(keys.app, name="keys")
    app.add_typer(env.app, name="env")
    app.command("smoke")(smoke.smoke)
    app.command("init")(init.init)
    app.command("report")(report.report)
    app.command("code")(code.code)
    app.add_typer(catalog.app, name="catalog")
    app.command("sweep")(sweep.sweep)
    app.command("trust")(trust.trust)
    return app


class _ClosedStdout(io.TextIOBase):
    """Stands in for a stdout that was closed before aicheck started (``aicheck scan >&-``):
    writing to it is an error the one handler reports (exit 2), not a crash."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "stdout is closed")

    def isatty(self) -> bool:
        return False


def main(argv: list[str] | None = None) -> None:
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):  # fast path: no typer import for a version check
        try:
            print(f"aicheck {aicheck.__version__}")
        except OSError as exc:
            print(f"aicheck: error: cannot write the output to stdout: {exc.strerror or exc}", file=sys.stderr)
            sys.exit(2)
        sys.exit(0)
    from aicheck import interrupt

    with interrupt.handled():
        _build_app()(args=args, prog_name="aicheck")
