"""The report for people at a terminal: a summary panel, the deductions, a table per check,
the SLOs, headroom and fallback, and sparklines of the trends (rich, to a string)."""

from __future__ import annotations

import io
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from aicheck.output import common
from aicheck.output import report as words
from aicheck.report.model import Report

DEFAULT_WIDTH = 100
STYLES = {words.BAD: "bold red", words.WARN: "yellow", words.OK: "green", words.MUTED: "dim", "": ""}
GRADE_STYLES = {"good": "bold green", "fair": "bold yellow", "poor": "bold red"}
FALLBACK_STYLES = {words.OK: "green", words.WARN: "yellow", words.BAD: "red", words.MUTED: "dim"}


def render(report: Report, *, color: bool = False, width: int | None = None) -> str:
    console = Console(
        file=io.StringIO(), width=width or DEFAULT_WIDTH, color_system="standard" if color else None,
        force_terminal=color, highlight=False, emoji=False, markup=False, legacy_windows=False, _environ={},
    )
    for block in (_panel(report), _deductions(report), _checks(report), *_details(report), _service(report), _trends(report), _footer(report)):
        if block is not None:
            console.print(block)
            console.print()
    output: str = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in output.rstrip("\n").split("\n")) + "\n"


def _panel(report: Report) -> RenderableType:
    score = report.score
    style = GRADE_STYLES[score.grade]
    head = Text.assemble((f"Score {score.value}/100", style), "  ", (words.GRADES[score.grade], style))
    filled = round(score.value / 100 * 40)
    bar = Text.assemble(("█" * filled, style), ("░" * (40 - filled), "dim"))
    lines: list[RenderableType] = [head, bar, Text(words.taken(report)), Text(words.coverage(report))]
    cap = words.cap_line(report)
    if cap:
        lines.append(Text(cap, style="bold red"))
    return Panel(Group(*lines), title="aicheck report", title_align="left", expand=True)


def _deductions(report: Report) -> RenderableType | None:
    if not report.score.deductions:
        return None  # the panel says so
    table = _table("Points", "Reason", "Details")
    for deduction in report.score.deductions:
        table.add_row(Text(f"-{deduction.points}", style="bold red"), Text(common.printable(deduction.reason)), Text(deduction.command, style="dim"))
    return Group(Text("Deductions", style="bold"), table)


def _checks(report: Report) -> RenderableType:
    table = _table("Check", "Found")
    for part in report.parts:
        style = "dim" if not part.ran else ""
        table.add_row(Text(f"{words.TITLES[part.name]} (aicheck {part.command})", style="bold"), Text(words.part_line(part), style=style))
    return Group(Text("Checks", style="bold"), table)


def _details(report: Report) -> list[RenderableType]:
    blocks: list[RenderableType] = []
    for part in report.parts:
        rows = words.part_rows(part)
        if rows:
            title = Text(f"{words.TITLES[part.name]} (aicheck {part.command})", style="bold")
            blocks.append(Group(title, _rows(rows, f"aicheck {part.command}")))
    return blocks


def _service(report: Report) -> RenderableType:
    """SLOs, budget, headroom, fallback: how the chain serves, as far as it was measured."""
    unmeasured = words.unmeasured_line(report)
    slos = Text(unmeasured, style="dim") if unmeasured else _rows(words.slo_rows(report.slos), "")
    parts: list[RenderableType] = [Text("Service levels", style="bold"), slos]
    budget = words.budget_line(report)
    if budget:
        parts.append(Text(budget))
    headroom = words.headroom_rows(report.headroom)
    if headroom:
        parts += [Text("Rate-limit headroom", style="bold"), _rows(headroom, "")]
    tone = words.FALLBACK_TONES[report.fallback.status]
    parts.append(Text(words.fallback_line(report), style=FALLBACK_STYLES[tone]))
    return Group(*parts)


def _trends(report: Report) -> RenderableType | None:
    trends = words.trend_lines(report.trends)
    if not trends:
        return None
    table = _table("Trend", "Runs", "First", "Last")
    for trend in trends:
        table.add_row(trend.label, Text(trend.spark, style="cyan"), trend.first, trend.last)
    runs = common.plural(len(report.trends), "report run")
    return Group(Text(f"Trends (last {runs})", style="bold"), table)


def _footer(report: Report) -> RenderableType | None:
    lines = [Text(common.printable(note), style="dim") for note in report.notes]
    verdict = words.verdict(report)
    if verdict:
        lines.append(Text(verdict, style="bold red" if report.failed else "bold green"))
    return Group(*lines) if lines else None


def _rows(rows: words.Rows, command: str) -> RenderableType:
    table = _table(*rows.headers)
    for cells, tone in zip(rows.rows, rows.tones):
        table.add_row(*(Text(cell, style=STYLES[tone] if index == rows.tone_column else "") for index, cell in enumerate(cells)))
    if rows.more:
        return Group(table, Text(f"… and {rows.more} more: run {command}", style="dim"))
    return table


def _table(*columns: str) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", padding=(0, 2, 0, 0))
    for name in columns:
        table.add_column(name, overflow="fold", no_wrap=name in ("Points", "Severity", "Status", "Result", "Latency", "Runs"))
    return table
