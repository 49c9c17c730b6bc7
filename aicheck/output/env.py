"""``aicheck env check`` results: text, json, sarif, junit, github and markdown.

Findings carry no secret values: the checks put at most a redacted form (a prefix and the last 4
characters) into a message, so every format can print messages as they are.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import PurePath
from typing import Any

import aicheck
from aicheck.env.finding import CHECKS, EnvFinding, EnvResult
from aicheck.output import common, envelope

COMMAND = "env check"
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")


def render_env(result: EnvResult, fmt: str, *, color: bool = False, verbose: bool = False, width: int | None = None) -> str:
    renderers = {"text": _text, "json": _json, "sarif": _sarif, "junit": _junit, "github": _github, "markdown": _markdown}
    common.require_format(fmt, FORMATS, COMMAND)
    return renderers[fmt](result, color=color, verbose=verbose, width=width)


def ordered(result: EnvResult) -> list[EnvFinding]:
    return sorted(result.findings, key=lambda item: item.sort_key)


def summary_line(result: EnvResult) -> str:
    """``2 problems (1 critical, 1 low). Checked .env, .env.local.``"""
    checked = f"Checked {', '.join(result.files)}." if result.files else "No .env file checked."
    if not result.findings:
        return f"No problems found. {checked}"
    counts = common.severity_counts(result.summary())
    return f"{common.plural(len(result.findings), 'problem')} ({counts}). {checked}"


def _where(item: EnvFinding) -> str:
    return f"{item.file}:{item.line}" if item.line else item.file


# --- text ---------------------------------------------------------------------------------------


def _text(result: EnvResult, *, color: bool, verbose: bool, width: int | None) -> str:
    if not result.findings:
        # The clean case, every pre-commit run: no rich import.
        lines = [summary_line(result), *result.notes] if verbose or result.notes else [summary_line(result)]
        return "\n".join(common.printable(line) for line in lines) + "\n"
    from rich.console import Group
    from rich.text import Text

    from aicheck.output.common import Options
    from aicheck.output.text import _console

    console = _console(Options((), color=color, width=width))
    groups: dict[str, list[EnvFinding]] = {}
    for item in ordered(result):
        groups.setdefault(item.file, []).append(item)
    for path, items in groups.items():
        console.print(Group(Text(""), Text(common.printable(path), style="bold"), _table(items)))
    console.print(Text("\n" + summary_line(result), style="bold red"))
    for note in result.notes:
        console.print(Text(common.printable(note), style="dim"))
    output: str = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in output.split("\n"))


def _table(items: list[EnvFinding]) -> Any:
    from rich.table import Table
    from rich.text import Text

    from aicheck.output.text import SEVERITY_STYLES

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for name in ("Line", "Severity", "Check", "Problem"):
        table.add_column(name, overflow="fold", no_wrap=name != "Problem")
    for item in items:
        problem = Text(common.printable(item.message))
        problem.append("\nfix: " + common.printable(item.fix), style="dim")
        table.add_row(Text(str(item.line) if item.line else "-"),
                      Text(item.severity, style=SEVERITY_STYLES.get(item.severity, "")), Text(item.check), problem)
    return table


# --- json ---------------------------------------------------------------------------------------


def _json(result: EnvResult, **_: Any) -> str:
    document = envelope(COMMAND, "findings", [item.to_dict() for item in ordered(result)], result.summary())
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


# --- sarif --------------------------------------------------------------------------------------


def _sarif(result: EnvResult, **_: Any) -> str:
    from aicheck.output import sarif

    findings = ordered(result)
    rule_ids = list(dict.fromkeys(item.check for item in findings))
    driver = {
        "name": "aicheck", "version": aicheck.__version__, "semanticVersion": aicheck.__version__,
        "informationUri": sarif.INFORMATION_URI, "rules": [_sarif_rule(rule_id) for rule_id in rule_ids],
    }
    seen: dict[str, int] = {}
    results = []
    for item in findings:
        seen[item.fingerprint] = seen.get(item.fingerprint, 0) + 1
        results.append(_sarif_result(item, rule_ids.index(item.check), seen[item.fingerprint]))
    run: dict[str, Any] = {"tool": {"driver": driver}, "results": results}
    if PurePath(result.root).is_absolute():
        uri = PurePath(result.root).as_uri()
        run["originalUriBaseIds"] = {sarif.SRCROOT: {"uri": uri if uri.endswith("/") else uri + "/"}}
    document = {"$schema": sarif.SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _sarif_rule(rule_id: str) -> dict[str, Any]:
    from aicheck.output import sarif

    check = CHECKS[rule_id]
    return {
        "id": check.id,
        "name": check.title,
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": check.description},
        "help": {"text": f"{check.description}\n\nHow to fix: {check.fix}",
                 "markdown": f"{check.description}\n\n**How to fix:** {check.fix}"},
        "defaultConfiguration": {"level": sarif.LEVELS.get(check.severity, "warning")},
        "properties": {"security-severity": sarif.SECURITY_SEVERITY.get(check.severity, "5.5"), "precision": "high",
                       "tags": ["security", "configuration"]},
    }


def _sarif_result(item: EnvFinding, index: int, occurrence: int) -> dict[str, Any]:
    from aicheck.output import sarif

    return sarif.file_result(
        item.check, index, sarif.LEVELS.get(item.severity, "warning"), f"{item.message}. Fix: {item.fix}", item.file,
        {"startLine": item.line} if item.line > 0 else None, item.fingerprint, occurrence,
        {"severity": item.severity, "key": item.key},
    )


# --- junit --------------------------------------------------------------------------------------


def _junit(result: EnvResult, **_: Any) -> str:
    from aicheck.output.junit import xml_text

    by_check: dict[str, list[EnvFinding]] = {}
    for item in ordered(result):
        by_check.setdefault(item.check, []).append(item)
    suite = ET.Element("testsuite", {"name": f"aicheck {COMMAND}"})
    for check_id in dict.fromkeys([*result.checks, *by_check]):
        case = ET.SubElement(suite, "testcase", {"classname": "aicheck.env", "name": check_id, "time": "0"})
        items = by_check.get(check_id, [])
        if items and all(item.severity == "info" for item in items):  # listed, not failed (aicheck.severity)
            ET.SubElement(case, "system-out").text = "\n".join(xml_text(f"{_where(item)}: {item.message}") for item in items)
        elif items:
            failure = ET.SubElement(case, "failure", {"message": xml_text(f"{CHECKS[check_id].title}: {common.plural(len(items), 'problem')}"), "type": check_id})
            failure.text = "\n".join(xml_text(f"{_where(item)}: {item.message} (fix: {item.fix})") for item in items)
    failed = sum(1 for items in by_check.values() if any(item.severity != "info" for item in items))
    counts = {"tests": str(len(suite)), "failures": str(failed), "errors": "0", "skipped": "0", "time": f"{result.duration_s:.3f}"}
    return common.junit_document(suite, counts)


# --- github -------------------------------------------------------------------------------------


def _github(result: EnvResult, **_: Any) -> str:
    from aicheck.output.github import COMMANDS, escape_data, escape_property

    lines = []
    for item in ordered(result):
        props = [("file", item.file)] + ([("line", str(item.line))] if item.line else [])
        props.append(("title", f"aicheck {item.check} ({item.severity})"))
        head = ",".join(f"{name}={escape_property(common.printable(value))}" for name, value in props)
        text = common.printable(f"{item.message}. Fix: {item.fix}", keep_lines=True)
        lines.append(f"::{COMMANDS.get(item.severity, 'warning')} {head}::{escape_data(text)}")
    lines.append(common.printable(summary_line(result)))
    return "\n".join(lines) + "\n"


# --- markdown -----------------------------------------------------------------------------------

_ICONS = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵", "info": "⚪"}
MAX_ROWS = 1000


def _markdown(result: EnvResult, **_: Any) -> str:
    from aicheck.output.markdown import code, escape

    lines = [f"## aicheck {COMMAND}", ""]
    lines.append(f"**{escape(summary_line(result))}**" if result.findings else f"✅ {escape(summary_line(result))}")
    findings = ordered(result)
    if findings:
        lines += ["", "| File | Line | Severity | Check | Problem | Fix |", "|---|---|---|---|---|---|"]
        for item in findings[:MAX_ROWS]:
            severity = f"{_ICONS.get(item.severity, '')} {item.severity}"
            cells = (code(item.file), str(item.line or "-"), severity, code(item.check), escape(item.message), escape(item.fix))
            lines.append("| " + " | ".join(cells) + " |")
        if len(findings) > MAX_ROWS:
            lines += ["", f"… and {len(findings) - MAX_ROWS} more; see the JSON or SARIF output for all of them."]
    if result.notes:
        lines += ["", *(f"- {escape(note)}" for note in result.notes)]
    return "\n".join(lines) + "\n"
