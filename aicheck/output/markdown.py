"""Scan results as GitHub-flavoured markdown: for $GITHUB_STEP_SUMMARY and PR comments."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aicheck.output import common

if TYPE_CHECKING:
    from aicheck.output.common import Options
    from aicheck.scan.finding import Finding, ScanResult, Skipped

HEADING = "## aicheck scan"
COLUMNS = ("File", "Line", "Severity", "Rule", "Provider", "Secret")
# A step summary holds 1 MiB; a thousand rows stay far below it.
MAX_ROWS = 1000
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")
_ICONS = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵", "info": "⚪"}


def render(result: ScanResult, options: Options) -> str:
    lines = [HEADING, "", _summary(result)]
    if result.findings:
        lines += ["", *_table(common.ordered(result.findings), options)]
    if options.verbose and result.skipped:
        lines += ["", *_skipped(result.skipped)]
    return "\n".join(lines) + "\n"


def _summary(result: ScanResult) -> str:
    line = escape(common.summary_line(result.summary()))
    return f"**{line}**" if result.findings else f"✅ {line}"


def _table(findings: list[Finding], options: Options) -> list[str]:
    rows = [_row(finding, options) for finding in findings[:MAX_ROWS]]
    lines = [_line(COLUMNS), _line(("---",) * len(COLUMNS)), *rows]
    hidden = len(findings) - MAX_ROWS
    if hidden > 0:
        lines += ["", f"… and {hidden} more; see the JSON or SARIF output for all of them."]
    return lines


def _row(finding: Finding, options: Options) -> str:
    severity = f"{_ICONS.get(finding.severity, '')} {finding.severity}".strip()
    return _line((
        code(finding.file),
        str(finding.line),
        severity,
        escape(finding.rule_name),
        escape(finding.provider or "-"),
        code(common.secret(finding, options)),
    ))


def _line(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


def _skipped(skipped: list[Skipped]) -> list[str]:
    items = [f"- {code(item.file)}: {escape(item.reason)}" for item in skipped]
    return ["<details><summary>Skipped files</summary>", "", *items, "", "</details>"]


def escape(text: str) -> str:
    """Plain text in a table cell: every markdown special character backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", common.printable(text))


def code(text: str) -> str:
    """A code span in a table cell: a fence longer than any backtick run inside it, and
    pipes escaped (GFM splits cells before it parses code spans)."""
    text = common.printable(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or not text.strip() else text
    return f"{fence}{padded}{fence}"
