"""``aicheck report`` in text, json, markdown or html, and the wording the formats share.

The renderers compute nothing: every figure is in the ``Report``; this module only turns figures
into words and rows (``part_rows``, ``slo_rows``...) that each format lays out its own way.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aicheck.output import common
from aicheck.report.model import ERROR, NOT_PROVEN, NO_CHAIN, NO_FALLBACK, PROVEN, SKIPPED, Headroom, Part, Report, Slo, TrendPoint
from aicheck.report.score import format_slo, key_label, where

FORMATS = ("text", "json", "markdown", "html")
COMMAND = "report"
_MODULES = {"text": "report_text", "markdown": "report_markdown", "html": "report_html"}
GRADES = {"good": "ready to ship", "fair": "needs attention", "poor": "not ready"}
TITLES = {"scan": "Exposed credentials", "env": "Environment files", "keys": "Live keys", "smoke": "Smoke through the chain",
          "code": "LLM call sites in the code"}
ROWS = 20  # per table; the command of the part shows them all
SPARKS = "▁▂▃▄▅▆▇█"
BAD, WARN, OK, MUTED = "bad", "warn", "ok", "muted"
TONES = {
    "critical": BAD, "high": BAD, "medium": WARN, "low": MUTED, "info": MUTED,
    "valid": OK, "rate_limited": WARN, "unsupported": MUTED, "invalid": BAD, "no_credit": BAD, "restricted": BAD,
    "unreachable": WARN, "unknown": WARN, "passed": OK, "failed": BAD, "error": BAD,
}


def render_report(report: Report, fmt: str, *, color: bool = False, width: int | None = None) -> str:
    if fmt == "json":
        return _json(report)
    common.require_format(fmt, FORMATS, COMMAND)
    module = importlib.import_module(f"aicheck.output.{_MODULES[fmt]}")
    text: str = module.render(report, color=color, width=width)
    return text


def _json(report: Report) -> str:
    from aicheck.output import envelope

    document = envelope(COMMAND, "results", [part.to_dict() for part in report.parts], report.summary())
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


# --- headline -----------------------------------------------------------------------------------


def taken(report: Report) -> str:
    """``6 deductions took 37 points.``"""
    deductions = report.score.deductions
    if not deductions:
        return "Nothing deducted."
    return f"{common.plural(len(deductions), 'deduction')} took {sum(d.points for d in deductions)} points."


def coverage(report: Report) -> str:
    """Which parts the score covers, and why the others are not in it."""
    checked = [part.command for part in report.parts if part.ran]
    left = [f"{part.command} ({'error' if part.status == ERROR else part.reason})" for part in report.parts if not part.ran]
    text = f"Checked: {', '.join(checked)}." if checked else "Nothing was checked."
    return common.printable(text + (f" Not checked: {'; '.join(left)}." if left else ""))


def verdict(report: Report) -> str | None:
    if report.fail_under is None:
        return None
    sign = "<" if report.failed else "≥"
    return f"{'FAILED' if report.failed else 'Passed'}: score {report.score.value} {sign} --fail-under {report.fail_under}."


def cap_line(report: Report) -> str | None:
    return f"Capped: {report.score.cap_reason}." if report.score.cap is not None else None


# --- the parts ----------------------------------------------------------------------------------


def part_line(part: Part) -> str:
    """One line per part: what it found, or why it did not run."""
    if part.status == SKIPPED:
        return common.printable(f"skipped: {part.reason}")
    if part.status == ERROR:
        return common.printable(f"could not run: {part.reason}")
    summary = part.summary
    words = {"scan": _scan_line, "env": _env_line, "keys": _keys_line, "smoke": _smoke_line, "code": _code_line}[part.name](summary, part)
    source = "" if part.source == "this run" else f" (from {part.source})"
    return common.printable(words + source)


def _counts(summary: dict[str, Any]) -> str:
    counts = _dict(summary.get("by_severity"))
    return ", ".join(f"{counts[name]} {name}" for name in ("critical", "high", "medium", "low", "info") if counts.get(name))


def _scan_line(summary: dict[str, Any], part: Part) -> str:
    files = common.plural(int(summary.get("files_scanned") or 0), "file")
    found = len(part.items)
    if not found:
        return f"no exposed credentials in {files}"
    live = sum(1 for item in part.items if _dict(item.get("verification")).get("status") == "valid")
    return f"{common.plural(found, 'exposed credential')} ({_counts(summary)}) in {files}" + (f", {live} LIVE" if live else "")


def _env_line(summary: dict[str, Any], part: Part) -> str:
    files = summary.get("files") if isinstance(summary.get("files"), list) else []
    checked = f"in {', '.join(map(str, files))}" if files else "(no .env file)"
    found = len(part.items)
    line = f"{common.plural(found, 'problem')} ({_counts(summary)}) {checked}" if found else f"no problems {checked}"
    return line + _apps(summary)


def _apps(summary: dict[str, Any]) -> str:
    """A monorepo's app folders, each checked on its own: ``; 3 apps: ., apps/web (Next.js), apps/api``."""
    apps = [app for app in summary.get("apps") or [] if isinstance(app, dict)]
    if len(apps) < 2:
        return ""
    named = [f"{app.get('path')} ({app.get('loader')}, {common.plural(int(app.get('findings') or 0), 'problem')})" for app in apps]
    return f"; {len(apps)} apps checked on their own: {', '.join(named)}"


def _code_line(summary: dict[str, Any], part: Part) -> str:
    sites = common.plural(int(summary.get("call_sites") or 0), "LLM call site")
    found = len(part.items)
    return f"{common.plural(found, 'problem')} ({_counts(summary) or 'info'}) at {sites}" if found else f"no problems at {sites}"


def _code_rows(items: list[dict[str, Any]]) -> _Built:
    rows: list[tuple[Row, str]] = []
    for item in items:
        severity = str(item.get("severity"))
        rows.append(((severity, where(item), str(item.get("title") or item.get("rule")), str(item.get("message") or "")), severity))
    return ("Severity", "Where", "Problem", "Message"), rows


def _keys_line(summary: dict[str, Any], part: Part) -> str:
    statuses: dict[str, int] = {}
    for item in part.items:
        statuses[str(item.get("status"))] = statuses.get(str(item.get("status")), 0) + 1
    counts = ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in statuses.items())
    return f"{common.plural(len(part.items), 'key')}: {counts}" if part.items else "no keys"


def _smoke_line(summary: dict[str, Any], part: Part) -> str:
    prompts = int(summary.get("prompts") or 0)
    words = [f"{common.plural(prompts, 'prompt')}: {summary.get('passed', 0)} passed"]
    if summary.get("failed"):
        words.append(f"{summary['failed']} failed")
    if summary.get("errors"):
        words.append(f"{summary['errors']} without answer")
    if summary.get("fallbacks"):
        words.append(common.plural(int(summary["fallbacks"]), "fallback"))
    if summary.get("p95_ms") is not None:
        words.append(f"p95 {ms(summary['p95_ms'])}")
    if summary.get("cost_usd") is not None:
        words.append(f"cost {usd(summary['cost_usd'])}")
    return ", ".join(words)


@dataclass(frozen=True)
class Rows:
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    tones: list[str]  # one per row: bad, warn, ok, muted or ""
    more: int = 0  # rows left out; the part's command shows them
    tone_column: int = 0  # the cell that carries the tone (severity, status)

    def __bool__(self) -> bool:
        return bool(self.rows)


def part_rows(part: Part, limit: int = ROWS) -> Rows:
    """The part's items as table rows (the worst first), at most ``limit`` of them."""
    if not part.ran:
        return Rows((), [], [])
    build = {"scan": _scan_rows, "env": _env_rows, "keys": _key_rows, "smoke": _smoke_rows, "code": _code_rows}[part.name]
    headers, rows = build(part.items)
    rows.sort(key=lambda row: _RANK.get(row[1], 9))
    shown = rows[:limit]
    cells = [tuple(common.printable(cell) for cell in row[0]) for row in shown]
    return Rows(headers, cells, [TONES.get(row[1], "") for row in shown], len(rows) - len(shown), TONE_COLUMNS[part.name])


TONE_COLUMNS = {"scan": 0, "env": 0, "keys": 2, "smoke": 1, "code": 0}


_RANK = {"critical": 0, "error": 0, "invalid": 0, "no_credit": 0, "restricted": 0, "high": 1, "failed": 1,
         "unreachable": 2, "unknown": 2, "medium": 2, "rate_limited": 3, "low": 3, "info": 4}
Row = tuple[str, ...]
_Built = tuple[Row, list[tuple[Row, str]]]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _scan_rows(items: list[dict[str, Any]]) -> _Built:
    rows: list[tuple[Row, str]] = []
    for item in items:
        verification = _dict(item.get("verification"))
        live = "LIVE" if verification.get("status") == "valid" else str(verification.get("status") or "")
        severity = str(item.get("severity"))
        rows.append(((severity, where(item), str(item.get("rule_name") or item.get("rule")), str(item.get("secret_redacted") or ""), live), severity))
    return ("Severity", "Where", "Credential", "Secret", "Live"), rows


def _env_rows(items: list[dict[str, Any]]) -> _Built:
    rows: list[tuple[Row, str]] = []
    for item in items:
        severity = str(item.get("severity"))
        rows.append(((severity, where(item), str(item.get("title") or item.get("id")), str(item.get("message") or "")), severity))
    return ("Severity", "Where", "Problem", "Message"), rows


def _key_rows(items: list[dict[str, Any]]) -> _Built:
    from aicheck.output.keys import facts

    rows: list[tuple[Row, str]] = []
    for item in items:
        metadata = _dict(item.get("metadata"))
        details = " · ".join(([str(item["detail"])] if item.get("detail") else []) + facts(metadata))
        status = str(item.get("status"))
        rows.append(((key_label(item), str(item.get("provider") or "?"), status, details), status))
    return ("Key", "Provider", "Status", "Details"), rows


def _smoke_rows(items: list[dict[str, Any]]) -> _Built:
    rows: list[tuple[Row, str]] = []
    for item in items:
        status = str(item.get("status"))
        latency = "cached" if item.get("cached") else ms(item.get("latency_ms"))
        rows.append(((str(item.get("name")), status, str(item.get("path_text") or ""), latency, usd(item.get("cost_usd"))), status))
    return ("Prompt", "Result", "Path", "Latency", "Cost"), rows


# --- SLOs, budget, headroom, fallback, trends ---------------------------------------------------


def slo_rows(slos: Sequence[Slo]) -> Rows:
    rows: list[Row] = []
    tones: list[str] = []
    for slo in slos:
        state = {True: "met", False: "missed", None: "not measured"}[slo.met]
        rows.append((slo.label, ("≥ " if slo.higher_is_better else "≤ ") + format_slo(slo.name, slo.target), format_slo(slo.name, slo.measured), state))
        tones.append({True: OK, False: BAD, None: MUTED}[slo.met])
    return Rows(("SLO", "Target", "Measured", "Status"), rows, tones, tone_column=3)


def unmeasured_line(report: Report) -> str | None:
    """When smoke measured nothing: the targets in one line, instead of a table of dashes."""
    if any(slo.measured is not None for slo in report.slos):
        return None
    targets = ", ".join(f"{slo.label} {'≥' if slo.higher_is_better else '≤'} {format_slo(slo.name, slo.target)}" for slo in report.slos)
    smoke = report.part("smoke")
    why = f"smoke {part_line(smoke)}" if not smoke.ran else "smoke measured nothing"
    return common.printable(f"Not measured ({why}). Targets: {targets}.")


def budget_line(report: Report) -> str | None:
    budget = report.budget
    if budget is None:
        return None
    day = f"today ${budget.spent_today_usd:.4f}"
    if budget.per_day_usd:
        day += f" of ${budget.per_day_usd:.2f} ({(budget.day_fraction or 0) * 100:.1f} %)"
    run = ""
    if budget.spent_run_usd is not None:
        run = f"; this run ${budget.spent_run_usd:.4f}" + (f" of ${budget.per_run_usd:.2f}" if budget.per_run_usd else "")
    return f"Budget: {day}{run} (from {budget.source})."


def headroom_rows(items: Sequence[Headroom]) -> Rows:
    rows: list[Row] = []
    tones: list[str] = []
    for item in items:
        left = "?" if item.remaining is None else f"{item.remaining:g}" + ("" if item.limit is None else f" of {item.limit:g}")
        share = "" if item.fraction is None else f"{item.fraction * 100:.0f} %"
        rows.append(tuple(common.printable(cell) for cell in (item.provider, item.key, item.kind, left, share, item.reset or "", item.source)))
        tones.append("" if item.fraction is None else BAD if item.fraction < 0.1 else WARN if item.fraction < 0.25 else OK)
    return Rows(("Provider", "Key", "Limit", "Left", "Share", "Reset", "Seen by"), rows, tones, tone_column=4)


FALLBACK_TONES = {PROVEN: OK, NOT_PROVEN: WARN, NO_FALLBACK: BAD, NO_CHAIN: MUTED}


def fallback_line(report: Report) -> str:
    fallback = report.fallback
    if fallback.status == NO_CHAIN:
        return common.printable(f"Fallback: not applicable, {fallback.detail}.")
    chain = f" ({' → '.join(fallback.providers)})" if len(fallback.providers) > 1 else ""
    return common.printable(f"Fallback{chain}: {fallback.status}: {fallback.detail}.")


@dataclass(frozen=True)
class Trend:
    label: str
    values: list[float | None]
    last: str
    first: str

    @property
    def spark(self) -> str:
        return sparkline(self.values)


def trend_lines(points: Sequence[TrendPoint]) -> list[Trend]:
    series: tuple[tuple[str, list[float | None], Callable[[Any], str]], ...] = (
        ("score", [None if p.score is None else float(p.score) for p in points], whole),
        ("p95 latency", [p.p95_ms for p in points], ms),
        ("cost per request", [p.cost_per_request_usd for p in points], usd),
    )
    trends = []
    for label, values, shown in series:
        known = [v for v in values if v is not None]
        if known:
            trends.append(Trend(label, values, shown(known[-1]), shown(known[0])))
    return trends


def whole(value: float) -> str:
    return f"{value:.0f}"


def sparkline(values: Sequence[float | None]) -> str:
    """``▁▃▅█``; a run with no figure is ``·``."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    return "".join(
        "·" if v is None else SPARKS[3] if span == 0 else SPARKS[round((v - low) / span * (len(SPARKS) - 1))]
        for v in values
    )


def ms(value: Any) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "-"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def usd(value: Any) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "-"
    return "$0" if value == 0 else f"${value:.6f}".rstrip("0").rstrip(".")
