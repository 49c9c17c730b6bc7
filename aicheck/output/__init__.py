"""Renderers: a finished result in, a string out (DESIGN.md, "Common flags" and "JSON output").

Each format lives in its own module and is imported only when asked for: a pre-commit hook
that prints text never pays for the SARIF writer, nor a JSON run for rich.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import aicheck
from aicheck.output.common import Options

if TYPE_CHECKING:
    from aicheck.catalog import Rule
    from aicheck.scan.finding import ScanResult

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")

_MODULES = {
    "text": "text",
    "json": "json_out",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
}

SCHEMA = 1


def render_scan(
    result: ScanResult,
    fmt: str,
    *,
    rules: Sequence[Rule],
    show_secrets: bool = False,
    color: bool = False,
    width: int | None = None,
    verbose: bool = False,
) -> str:
    """The scan result in ``fmt``; secrets redacted unless ``show_secrets``."""
    if fmt not in _MODULES:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    options = Options(tuple(rules), show_secrets, color, width, verbose)
    if fmt == "text" and not color and not result.findings and not (verbose and result.skipped):
        # The pre-commit hook's usual answer: one line, without paying for importing rich.
        from aicheck.output.common import summary_line

        return summary_line(result.summary()) + "\n"
    module = importlib.import_module(f"{__name__}.{_MODULES[fmt]}")
    text: str = module.render(result, options)
    return text


def envelope(command: str, key: str, items: list[Any], summary: dict[str, Any]) -> dict[str, Any]:
    """The JSON envelope every command shares (DESIGN.md, "JSON output")."""
    return {
        "tool": "aicheck",
        "version": aicheck.__version__,
        "schema": SCHEMA,
        "command": command,
        key: items,
        "summary": summary,
    }
