"""``aicheck smoke`` results: text, json, junit (one test case per prompt), github and markdown.

Answers and provider messages are shown as printable text only; keys never reach a result (error
messages are scrubbed of the key where they are read).
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from typing import Any

from aicheck.output import common
from aicheck.resilience.breaker import opened
from aicheck.smoke.report import PromptResult, ProviderStats, SmokeReport

FORMATS = ("text", "json", "junit", "github", "markdown")
COMMAND = "smoke"
STATUS_STYLES = {"passed": "bold green", "failed": "bold red", "error": "bold red"}
ICONS = {"passed": "✅", "failed": "❌", "error": "💥"}


def render_smoke(report: SmokeReport, fmt: str, *, color: bool = False, verbose: bool = False, width: int | None = None) -> str:
    renderers = {"text": _text, "json": _json, "junit": _junit, "github": _github, "markdown": _markdown}
    common.require_format(fmt, FORMATS, COMMAND)
    return renderers[fmt](report, color=color, verbose=verbose, width=width)


# --- wording shared by the formats --------------------------------------------------------------


def summary_line(report: SmokeReport) -> str:
    s = report.summary()
    counts = ", ".join(f"{s[name]} {label}" for name, label in (("passed", "passed"), ("failed", "failed"), ("errors", "without answer")) if s[name])
    parts = [f"{common.plural(s['prompts'], 'prompt')}: {counts or 'none run'}"]
    if s["availability"] is not None:
        parts.append(f"availability {s['availability'] * 100:.1f} %")
    if s["p95_ms"] is not None:
        parts.append(f"p50 {ms(s['p50_ms'])}, p95 {ms(s['p95_ms'])}")
    parts.append(f"cost {usd(s['cost_usd'])}")
    parts += [common.plural(s["fallbacks"], "fallback")] if s["fallbacks"] else []
    parts += [f"{s['cache_hits']} from cache"] if s["cache_hits"] else []
    parts += [f"drill: {', '.join(report.drills)}"] if report.drills else []
    return " · ".join(parts) + f" ({s['duration_s']:.1f} s)."


def details(result: PromptResult) -> str:
    """Why a prompt failed, or what is worth knowing about its answer, one line."""
    if not result.chain.ok:
        error = result.chain.error or {}
        return common.printable(str(error.get("message", "no provider answered")))
    failed = [f"{a.name}: {a.detail}" for a in result.assertions if a.passed is False]
    unchecked = [f"{a.name}: {a.detail}" for a in result.assertions if a.passed is None]
    notes = failed or ([f"{common.plural(sum(1 for a in result.assertions if a.passed), 'expectation')} met"] + unchecked)
    if result.chain.answer and result.chain.answer.cached:
        notes.append("cached answer")
    return common.printable(" · ".join(notes))


def path(result: PromptResult) -> str:
    return common.printable(result.chain.path_text())


def ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def usd(value: float | None) -> str:
    if value is None:
        return "-"
    return "$0" if value == 0 else f"${value:.6f}".rstrip("0")


def tokens(result: PromptResult) -> str:
    answer = result.chain.answer
    return f"{answer.tokens.input}/{answer.tokens.output}" if answer else "-"


def latency(result: PromptResult) -> str:
    answer = result.chain.answer
    return "cached" if answer and answer.cached else ms(result.chain.latency_ms)


def headroom(stats: ProviderStats) -> str:
    limits = stats.rate_limit()
    parts = []
    for kind, values in limits.items():
        remaining, limit = values.get("remaining"), values.get("limit")
        if remaining is not None:
            parts.append(f"{kind} {remaining}" + (f"/{limit}" if limit is not None else ""))
    return ", ".join(parts) or "-"


def errors(stats: ProviderStats) -> str:
    return ", ".join(f"{kind} ×{count}" for kind, count in sorted(stats.errors().items())) or "-"


def success(stats: ProviderStats) -> str:
    rate = stats.success_rate
    return "-" if rate is None else f"{rate * 100:.0f} % ({len(stats.answered)}/{len(stats.calls)})"


def breaker(stats: ProviderStats) -> str:
    state = str(stats.breaker.get("state", "closed"))
    if state == "closed":
        return state
    return f"{state.replace('_', '-')} {opened(stats.breaker)}" + (f" ({stats.breaker.get('retry_in_s', 0):.0f} s left)" if state == "open" else "")


def sources_line(report: SmokeReport) -> str:
    """``Keys: GROQ_API_KEY from the environment; OPENROUTER_API_KEY from .env.local.``"""
    if not report.key_sources:
        return ""
    said = [f"{name} {'not set' if where == 'not set' else f'from the {where}' if where == 'environment' else f'from {where}'}"
            for name, where in report.key_sources.items()]
    return "Keys: " + "; ".join(said) + "."


# --- formats ---------------------------------------------------------------------------------


def _json(report: SmokeReport, **_: Any) -> str:
    from aicheck.output import envelope

    document = envelope(COMMAND, "results", [result.to_dict() for result in report.results], report.summary())
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _text(report: SmokeReport, *, color: bool, verbose: bool, width: int | None) -> str:
    from rich.console import Console
    from rich.text import Text

    console = Console(
        file=io.StringIO(), width=width or 120, color_system="standard" if color else None, force_terminal=color,
        highlight=False, emoji=False, markup=False, _environ={},
    )
    console.print(_prompt_table(report, verbose))
    console.print()
    console.print(_provider_table(report))
    console.print(Text(summary_line(report), style="bold red" if report.failed else "bold green"))
    for warning in report.warnings:
        console.print(Text(f"warning: {common.printable(warning)}", style="yellow"))
    if sources_line(report):
        console.print(Text(common.printable(sources_line(report))))
    output: str = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in output.split("\n"))


def _table(*columns: str) -> Any:
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for name in columns:
        table.add_column(name, overflow="fold", no_wrap=name in ("Result", "Latency", "TTFT", "Attempts", "Calls", "Provider", "Model", "Cost"))
    return table


def _prompt_table(report: SmokeReport, verbose: bool) -> Any:
    from rich.text import Text

    table = _table("Prompt", "Result", "Path", "Attempts", "Latency", "TTFT", "Tokens", "Cost", "Details", *(["Answer"] if verbose else []))
    for result in report.results:
        answer = result.chain.answer
        cells = [
            Text(common.printable(result.name)), Text(result.status, style=STATUS_STYLES.get(result.status, "")), Text(path(result)),
            Text(str(result.chain.attempts)), Text(latency(result)), Text(ms(answer.ttft_ms) if answer else "-"),
            Text(tokens(result)), Text(usd(answer.cost_usd) if answer else "-"), Text(details(result)),
        ]
        if verbose:
            cells.append(Text(common.printable(answer.text if answer else "-")))
        table.add_row(*cells)
    return table


def _provider_table(report: SmokeReport) -> Any:
    from rich.text import Text

    table = _table("#", "Provider", "Host", "Model", "Calls", "Success", "p50", "p95", "Errors", "Breaker", "Headroom")
    for stats in report.providers:
        p50, p95 = _percentiles(stats)
        table.add_row(*(Text(cell) for cell in (
            str(stats.position), stats.provider, common.printable(stats.host or "-"), common.printable(stats.model), str(len(stats.calls)), success(stats),
            p50, p95, errors(stats), breaker(stats), headroom(stats),
        )))
    return table


def _percentiles(stats: ProviderStats) -> tuple[str, str]:
    data = stats.to_dict()
    return ms(data["p50_ms"]), ms(data["p95_ms"])


def _junit(report: SmokeReport, **_: Any) -> str:
    from aicheck.output.junit import xml_text

    suite = ET.Element("testsuite", {"name": f"aicheck {COMMAND}"})
    for result in report.results:
        suite.append(_case(result, xml_text))
    counts = {
        "tests": str(len(report.results)),
        "failures": str(sum(1 for r in report.results if r.status == "failed")),
        "errors": str(sum(1 for r in report.results if r.status == "error")),
        "skipped": "0",
        "time": f"{report.duration_s:.3f}",
    }
    return common.junit_document(suite, counts)


def _case(result: PromptResult, xml_text: Any) -> ET.Element:
    answer = result.chain.answer
    provider = answer.provider if answer else "none"
    seconds = f"{(result.chain.latency_ms or 0) / 1000:.3f}"
    case = ET.Element("testcase", {"classname": f"aicheck.smoke.{provider}", "name": xml_text(result.name), "time": seconds})
    message = xml_text(details(result))
    if result.status == "error":
        ET.SubElement(case, "error", {"message": message, "type": "chain_exhausted"}).text = xml_text(path(result))
    elif result.status == "failed":
        ET.SubElement(case, "failure", {"message": message, "type": "expectation"}).text = xml_text(path(result))
    else:
        ET.SubElement(case, "system-out").text = xml_text(f"{path(result)} · {latency(result)} · {message}")
    return case


def _github(report: SmokeReport, **_: Any) -> str:
    from aicheck.output.github import escape_data, escape_property

    lines = []
    for result in report.results:
        if result.status == "passed" and not result.fallback:
            continue
        command = "warning" if result.status == "passed" else "error"
        what = "answered by a fallback" if result.status == "passed" else {"failed": "expectation not met", "error": "no provider answered"}[result.status]
        title = escape_property(f"aicheck smoke: {result.name}: {what}")
        message = common.printable(f"{path(result)}: {details(result)}")
        lines.append(f"::{command} title={title}::{escape_data(message)}")
    for warning in report.warnings:
        lines.append(f"::warning title={escape_property('aicheck smoke: chain model')}::{escape_data(common.printable(warning))}")
    lines.append(common.printable(summary_line(report)))
    return "\n".join(lines) + "\n"


def _markdown(report: SmokeReport, **_: Any) -> str:
    from aicheck.output.markdown import code, escape

    lines = [f"## aicheck {COMMAND}", "", f"**{escape(summary_line(report))}**", ""]
    lines += ["| Prompt | Result | Path | Attempts | Latency | TTFT | Tokens | Cost | Details |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for result in report.results:
        answer = result.chain.answer
        cells = [code(result.name), f"{ICONS[result.status]} {result.status}", escape(path(result)), str(result.chain.attempts),
                 latency(result), ms(answer.ttft_ms) if answer else "-", tokens(result), usd(answer.cost_usd) if answer else "-",
                 escape(details(result))]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| # | Provider | Model | Calls | Success | p50 | p95 | Errors | Breaker | Headroom |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for stats in report.providers:
        p50, p95 = _percentiles(stats)
        cells = [str(stats.position), escape(stats.provider), code(stats.model), str(len(stats.calls)), success(stats), p50, p95,
                 escape(errors(stats)), breaker(stats), escape(headroom(stats))]
        lines.append("| " + " | ".join(cells) + " |")
    if report.warnings:
        lines += [""] + [f"> ⚠️ {escape(common.printable(warning))}" for warning in report.warnings]
    return "\n".join(lines) + "\n"
