"""Scan results for people: a table per file, then one summary line (rich, to a string)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from aicheck.output import common

if TYPE_CHECKING:
    from aicheck.output.common import Options
    from aicheck.scan.finding import Finding, ScanResult, Skipped

DEFAULT_WIDTH = 100

NO_WRAP = {"Line", "Severity", "Secret"}

SEVERITY_STYLES = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


def render(result: ScanResult, options: Options) -> str:
    console = _console(options)
    for path, findings in common.by_file(result.findings).items():
        console.print(_file_section(path, findings, options))
    if options.verbose and result.skipped:
        console.print(_skipped_section(result.skipped))
    console.print(_summary(result))
    output: str = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in output.split("\n"))


def _console(options: Options) -> Console:
    # Colour is decided by the caller (flags, NO_COLOR, FORCE_COLOR, TTY); the environment
    # must not overrule it here, hence the empty _environ.
    return Console(
        file=io.StringIO(),
        width=options.width or DEFAULT_WIDTH,
        color_system="standard" if options.color else None,
        force_terminal=options.color,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
        _environ={},
    )


def _file_section(path: str, findings: list[Finding], options: Options) -> RenderableType:
    heading = Text(common.printable(path), style="bold")
    return Group(Text(""), heading, _table(findings, options))


def _table(findings: list[Finding], options: Options) -> Table:
    with_commit = any(finding.commit for finding in findings)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for name in _columns(with_commit):
        # Rich narrows wrappable columns first: a shown secret stays whole, copyable.
        table.add_column(name, overflow="fold", no_wrap=name in NO_WRAP)
    for finding in findings:
        table.add_row(*_row(finding, options, with_commit))
    return table


def _columns(with_commit: bool) -> list[str]:
    columns = ["Line", "Severity", "Rule", "Provider", "Secret", "Note"]
    return [*columns[:1], "Commit", *columns[1:]] if with_commit else columns


def _row(finding: Finding, options: Options, with_commit: bool) -> list[Text]:
    cells = [
        Text(f"{finding.line}:{finding.column}"),
        Text(finding.severity, style=SEVERITY_STYLES.get(finding.severity, "")),
        Text(common.printable(finding.rule_name)),
        Text(finding.provider or "-"),
        Text(common.printable(common.secret(finding, options))),
        Text(common.printable(_note(finding))),
    ]
    if with_commit:
        cells.insert(1, Text((finding.commit or "")[:10]))
    return cells


def _note(finding: Finding) -> str:
    status = common.verification_status(finding)
    head = "" if finding.in_head is None else "still in HEAD" if finding.in_head else "removed from HEAD, still in history"
    parts = [head, finding.note, f"verified: {status}" if status else ""]
    return "; ".join(part for part in parts if part)


def _skipped_section(skipped: list[Skipped]) -> RenderableType:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("Skipped file", overflow="fold")
    table.add_column("Reason", overflow="fold")
    for item in skipped:
        table.add_row(Text(common.printable(item.file)), Text(common.printable(item.reason)))
    return Group(Text(""), table)


def _summary(result: ScanResult) -> Text:
    line = common.summary_line(result.summary())
    style = "bold red" if result.findings else "bold green"
    return Text.assemble("\n" if result.findings else "", (line, style))
