"""``aicheck keys validate`` results: text, json, junit, github and markdown.

Keys appear only redacted (a prefix and the last 4 characters); the result never holds more of
the key than that outside ``KeyResult.key``, which no renderer reads.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from typing import Any

from aicheck.output import common
from aicheck.validate.result import FAILING, KeyReport, KeyResult

FORMATS = ("text", "json", "junit", "github", "markdown")
COMMAND = "keys validate"
STATUS_STYLES = {
    "valid": "bold green", "invalid": "bold red", "no_credit": "red", "restricted": "red",
    "rate_limited": "yellow", "unreachable": "magenta", "unknown": "magenta", "unsupported": "dim",
}
ICONS = {"valid": "✅", "rate_limited": "⏳", "unsupported": "➖"}
_ACCOUNT = ("organization", "organization_id", "project", "label", "name", "username", "team_id", "orgs", "role", "type", "owner_id", "acls")


def render_keys(report: KeyReport, fmt: str, *, color: bool = False, verbose: bool = False, width: int | None = None) -> str:
    renderers = {"text": _text, "json": _json, "junit": _junit, "github": _github, "markdown": _markdown}
    common.require_format(fmt, FORMATS, COMMAND)
    return renderers[fmt](report, color=color, verbose=verbose, width=width)


# --- what an answer tells, in words -------------------------------------------------------------


def facts(metadata: dict[str, Any]) -> list[str]:
    """The metadata a provider gave, as short phrases: account, credit, headroom, chain models."""
    phrases = [f"{name.replace('_', ' ')}: {_value(metadata[name])}" for name in _ACCOUNT if name in metadata]
    phrases += _credit(metadata)
    for kind, limits in metadata.get("rate_limit", {}).items():
        phrases.append(_headroom(kind, limits))
    if "retry_after" in metadata:
        phrases.append(f"retry after {metadata['retry_after']} s")
    if "models_available" in metadata:
        phrases.append(common.plural(metadata["models_available"], "model"))
    for model, listed in metadata.get("chain_models", {}).items():
        phrases.append(f"chain model {model}: {'available' if listed else 'NOT available to this key'}")
    return phrases


def _credit(metadata: dict[str, Any]) -> list[str]:
    phrases = []
    if metadata.get("limit_remaining") is not None:
        limit = metadata.get("limit")
        phrases.append(f"credit left: {metadata['limit_remaining']}" + (f" of {limit}" if limit is not None else ""))
    elif "limit" in metadata or "usage" in metadata:
        phrases.append("no credit limit" if metadata.get("limit") is None else f"credit limit: {metadata['limit']}")
    if metadata.get("usage") is not None:
        phrases.append(f"used: {metadata['usage']}")
    if metadata.get("is_free_tier"):
        phrases.append("free tier")
    if "balance" in metadata:
        currencies = _list(metadata.get("currency", []))
        amounts = [f"{amount} {currencies[i] if i < len(currencies) else ''}".strip() for i, amount in enumerate(_list(metadata["balance"]))]
        phrases.append("balance: " + ", ".join(amounts))
    return phrases


def _headroom(kind: str, limits: dict[str, Any]) -> str:
    remaining, limit, reset = limits.get("remaining"), limits.get("limit"), limits.get("reset")
    left = f"{remaining}/{limit}" if remaining is not None and limit is not None else str(remaining if remaining is not None else limit)
    return f"{kind}: {left} left" + (f" (reset {reset})" if reset is not None else "")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _value(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def describe(result: KeyResult) -> str:
    """The detail and the facts, one line."""
    parts = [result.check.detail] if result.check.detail else []
    parts += facts(result.check.metadata)
    return common.printable(" · ".join(parts))


def summary_line(report: KeyReport) -> str:
    summary = report.summary()
    counts = ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in summary["by_status"].items() if count)
    return f"{common.plural(summary['keys'], 'key')} checked in {summary['duration_s']:.1f} s: {counts}."


def _label(result: KeyResult) -> str:
    return f"{result.provider or 'unknown provider'} key {result.key_redacted}"


# --- formats ---------------------------------------------------------------------------------


def _json(report: KeyReport, **_: Any) -> str:
    from aicheck.output import envelope

    document = envelope(COMMAND, "results", [result.to_dict() for result in report.results], report.summary())
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def sent_to(report: KeyReport) -> str:
    """Where keys were sent, per provider (DESIGN.md, "Trust": shown, not only with --verbose)."""
    from urllib.parse import urlsplit

    hosts = {(check.provider, urlsplit(check.url).netloc) for result in report.results for check in result.candidates or [result.check]
             if check.url and check.attempts}
    return ", ".join(f"{provider} {host}" for provider, host in sorted(hosts, key=lambda item: (str(item[0]), item[1])))


def _text(report: KeyReport, *, color: bool, verbose: bool, width: int | None) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    columns = ["Key", "Provider", "Status", "HTTP", "Latency", "Details"] + (["Source", "Request"] if verbose else [])
    for name in columns:
        table.add_column(name, overflow="fold", no_wrap=name in ("Key", "Status", "HTTP", "Latency"))
    for result in report.results:
        check = result.check
        cells = [
            Text(result.key_redacted), Text(check.provider or "-"),
            Text(check.status, style=STATUS_STYLES.get(check.status, "")),
            Text(str(check.http_status or "-")), Text(f"{check.latency_ms} ms" if check.latency_ms is not None else "-"),
            Text(describe(result)),
        ]
        if verbose:
            request = f"{check.url} ({common.plural(check.attempts, 'attempt')})" if check.url else "not sent"
            cells += [Text(common.printable(result.source)), Text(common.printable(request))]
        table.add_row(*cells)
    console = Console(
        file=io.StringIO(), width=width or 120, color_system="standard" if color else None, force_terminal=color,
        highlight=False, emoji=False, markup=False, _environ={},
    )
    console.print(table)
    hosts = sent_to(report)
    if hosts:
        console.print(Text(common.printable(f"Sent to: {hosts}")))
    console.print(Text(summary_line(report), style="bold red" if report.failed else "bold green"))
    output: str = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in output.split("\n"))


def _junit(report: KeyReport, **_: Any) -> str:
    from aicheck.output.junit import xml_text

    suite = ET.Element("testsuite", {"name": f"aicheck {COMMAND}"})
    for result in report.results:
        suite.append(_case(result, xml_text))
    counts = {
        "tests": str(len(report.results)),
        "failures": str(sum(1 for r in report.results if r.failed)),
        "errors": "0",
        "skipped": str(sum(1 for r in report.results if r.status == "unsupported")),
        "time": f"{report.duration_s:.3f}",
    }
    return common.junit_document(suite, counts)


def _case(result: KeyResult, xml_text: Any) -> ET.Element:
    name = xml_text(f"{_label(result)}" + (f" ({result.source})" if result.source else ""))
    seconds = f"{(result.check.latency_ms or 0) / 1000:.3f}"
    case = ET.Element("testcase", {"classname": f"aicheck.keys.{result.provider or 'unknown'}", "name": name, "time": seconds})
    message = xml_text(f"{result.status}: {describe(result)}".rstrip(": "))
    if result.failed:
        ET.SubElement(case, "failure", {"message": message, "type": result.status}).text = message
    elif result.status == "unsupported":
        ET.SubElement(case, "skipped", {"message": message})
    else:
        ET.SubElement(case, "system-out").text = message
    return case


def _github(report: KeyReport, **_: Any) -> str:
    from aicheck.output.github import escape_data, escape_property

    lines = []
    for result in report.results:
        if result.status == "valid":
            continue
        command = "error" if result.failed else "warning"
        title = escape_property(f"aicheck: key {result.status}")
        where = f" ({result.source})" if result.source else ""
        message = common.printable(f"{_label(result)}{where}: {result.status}: {describe(result)}".rstrip(": "))
        lines.append(f"::{command} title={title}::{escape_data(message)}")
    lines.append(common.printable(summary_line(report)))
    return "\n".join(lines) + "\n"


def _markdown(report: KeyReport, **_: Any) -> str:
    from aicheck.output.markdown import code, escape

    lines = [f"## aicheck {COMMAND}", "", f"**{escape(summary_line(report))}**", ""]
    lines += ["| Key | Provider | Status | HTTP | Details |", "| --- | --- | --- | --- | --- |"]
    for result in report.results:
        icon = ICONS.get(result.status, "❌" if result.status in FAILING else "")
        cells = [
            code(result.key_redacted), escape(result.provider or "-"), f"{icon} {result.status}".strip(),
            str(result.check.http_status or "-"), escape(describe(result)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
