"""The report as GitHub-flavoured markdown: for ``$GITHUB_STEP_SUMMARY`` and pull-request comments.

Short enough for a comment (tables stop at ``ROWS`` rows and name the command that shows the rest),
findings folded in ``<details>``, every cell escaped.
"""

from __future__ import annotations

import html
from typing import Any

from aicheck.output import report as words
from aicheck.output.markdown import code, escape
from aicheck.report.model import Report

ICONS = {"good": "🟢", "fair": "🟡", "poor": "🔴"}
TONE_ICONS = {words.BAD: "🔴 ", words.WARN: "🟡 ", words.OK: "🟢 ", words.MUTED: "", "": ""}


def render(report: Report, **_: Any) -> str:
    lines = [f"## {ICONS[report.score.grade]} aicheck report: {report.score.value}/100", ""]
    grade = words.GRADES[report.score.grade].capitalize()
    lines += [f"**{escape(grade)}.** {escape(words.taken(report))} {escape(words.coverage(report))}", ""]
    cap = words.cap_line(report)
    if cap:
        lines += [f"> [!CAUTION]\n> {escape(cap)}", ""]
    verdict = words.verdict(report)
    if verdict:
        lines += [f"**{escape(verdict)}**", ""]
    lines += _deductions(report) + _checks(report) + _service(report) + _trends(report) + _details(report)
    lines += [f"_{escape(note)}_" for note in report.notes]
    return "\n".join(lines).rstrip("\n") + "\n"


def _deductions(report: Report) -> list[str]:
    if not report.score.deductions:
        return []
    lines = ["### Deductions", ""]
    lines += [f"- **-{d.points}**: {escape(d.reason)} ({code(d.command)})" for d in report.score.deductions]
    return lines + [""]


def _checks(report: Report) -> list[str]:
    lines = ["### Checks", "", "| Check | Result |", "| --- | --- |"]
    for part in report.parts:
        lines.append(f"| {escape(words.TITLES[part.name])} ({code('aicheck ' + part.command)}) | {escape(words.part_line(part))} |")
    return lines + [""]


def _service(report: Report) -> list[str]:
    unmeasured = words.unmeasured_line(report)
    lines = ["### Service levels", "", escape(unmeasured) if unmeasured else "\n".join(_table(words.slo_rows(report.slos))), ""]
    budget = words.budget_line(report)
    if budget:
        lines += [escape(budget), ""]
    lines += [f"{TONE_ICONS[words.FALLBACK_TONES[report.fallback.status]]}{escape(words.fallback_line(report))}", ""]
    headroom = words.headroom_rows(report.headroom)
    if headroom:
        lines += ["**Rate-limit headroom**", "", *_table(headroom), ""]
    return lines


def _trends(report: Report) -> list[str]:
    trends = words.trend_lines(report.trends)
    if not trends:
        return []
    lines = [f"### Trends (last {len(report.trends)} runs)", "", "| Trend | Runs | First | Last |", "| --- | --- | --- | --- |"]
    lines += [f"| {t.label} | {code(t.spark)} | {escape(t.first)} | {escape(t.last)} |" for t in trends]
    return lines + [""]


def _details(report: Report) -> list[str]:
    lines = []
    for part in report.parts:
        rows = words.part_rows(part)
        if not rows:
            continue
        summary = html.escape(f"{words.TITLES[part.name]}: {words.part_line(part)}")
        lines += [f"<details><summary>{summary}</summary>", ""]
        lines += _table(rows)
        if rows.more:
            lines += ["", f"… and {rows.more} more: run {code('aicheck ' + part.command)}"]
        lines += ["", "</details>", ""]
    return lines


def _table(rows: words.Rows) -> list[str]:
    lines = ["| " + " | ".join(rows.headers) + " |", "|" + " --- |" * len(rows.headers)]
    for cells, tone in zip(rows.rows, rows.tones):
        shown = [TONE_ICONS[tone] + escape(cell) if index == rows.tone_column else escape(cell) for index, cell in enumerate(cells)]
        lines.append("| " + " | ".join(shown) + " |")
    return lines
