"""``aicheck code`` results: text, json, sarif, junit, github and markdown.

Findings hold code locations, rule ids and fixes; no key is ever read into them.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import PurePath
from typing import Any

import aicheck
from aicheck.code.result import CodeFinding, CodeResult
from aicheck.output import common, envelope

COMMAND = "code"
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")
LEVELS = {"info": "note"}  # on top of the shared SARIF levels
MAX_ROWS = 1000
_ICONS = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵", "info": "⚪"}


def render_code(result: CodeResult, fmt: str, *, color: bool = False, verbose: bool = False, width: int | None = None) -> str:
    renderers = {"text": _text, "json": _json, "sarif": _sarif, "junit": _junit, "github": _github, "markdown": _markdown}
    common.require_format(fmt, FORMATS, COMMAND)
    return renderers[fmt](result, color=color, verbose=verbose, width=width)


def summary_line(result: CodeResult) -> str:
    """``3 problems (1 high, 2 medium) at 5 LLM call sites in 2 of 40 files.``"""
    where = f"{common.plural(result.sites, 'LLM call site')} in {result.parsed} of {common.plural(result.files, 'source file')}"
    if not result.findings:
        return f"No problems found at {where}."
    counts = ", ".join(f"{n} {name}" for name, n in result.by_severity.items() if n)
    return f"{common.plural(len(result.findings), 'problem')} ({counts}) at {where}."


def _where(item: CodeFinding) -> str:
    return f"{item.file}:{item.line}"


# --- text ---------------------------------------------------------------------------------------


def _text(result: CodeResult, *, color: bool, verbose: bool, width: int | None) -> str:
    if not result.findings:
        lines = [summary_line(result), *result.notes]
        return "\n".join(common.printable(line) for line in lines) + "\n"
    from rich.console import Group
    from rich.text import Text

    from aicheck.output.common import Options
    from aicheck.output.text import _console

    console = _console(Options((), color=color, width=width))
    groups: dict[str, list[CodeFinding]] = {}
    for item in result.findings:
        groups.setdefault(item.file, []).append(item)
    for path, items in groups.items():
        console.print(Group(Text(""), Text(common.printable(path), style="bold"), _table(items, verbose)))
    console.print(Text("\n" + summary_line(result), style="bold red"))
    for note in result.notes:
        console.print(Text(common.printable(note), style="dim"))
    output: str = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in output.split("\n"))


def _table(items: list[CodeFinding], verbose: bool) -> Any:
    from rich.table import Table
    from rich.text import Text

    from aicheck.output.text import SEVERITY_STYLES

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for name in ("Line", "Severity", "Rule", "Problem"):
        table.add_column(name, overflow="fold", no_wrap=name != "Problem")
    for item in items:
        problem = Text(common.printable(item.message))
        if item.snippet:
            problem.append("\n" + common.printable(item.snippet), style="cyan")
        problem.append("\nfix: " + common.printable(item.fix, keep_lines=verbose), style="dim")
        table.add_row(Text(str(item.line)), Text(item.severity, style=SEVERITY_STYLES.get(item.severity, "")),
                      Text(item.rule), problem)
    return table


# --- json ---------------------------------------------------------------------------------------


def _json(result: CodeResult, **_: Any) -> str:
    document = envelope(COMMAND, "findings", [item.to_dict() for item in result.findings], result.summary())
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


# --- sarif --------------------------------------------------------------------------------------


def _sarif(result: CodeResult, **_: Any) -> str:
    from aicheck.code.rules import load
    from aicheck.output import sarif

    rules = load().rules
    rule_ids = list(dict.fromkeys(item.rule for item in result.findings))
    driver = {
        "name": "aicheck", "version": aicheck.__version__, "semanticVersion": aicheck.__version__,
        "informationUri": sarif.INFORMATION_URI, "rules": [_sarif_rule(rules[rule_id]) for rule_id in rule_ids],
    }
    seen: dict[str, int] = {}
    results = []
    for item in result.findings:
        seen[item.fingerprint] = seen.get(item.fingerprint, 0) + 1
        results.append(_sarif_result(item, rule_ids.index(item.rule), seen[item.fingerprint]))
    run: dict[str, Any] = {"tool": {"driver": driver}, "results": results}
    if PurePath(result.root).is_absolute():
        uri = PurePath(result.root).as_uri()
        run["originalUriBaseIds"] = {sarif.SRCROOT: {"uri": uri if uri.endswith("/") else uri + "/"}}
    document = {"$schema": sarif.SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _level(severity: str) -> str:
    from aicheck.output import sarif

    return LEVELS.get(severity) or sarif.LEVELS.get(severity, "warning")


def _sarif_rule(rule: Any) -> dict[str, Any]:
    from aicheck.output import sarif

    fix = f"Python: {rule.fix_python}\nJavaScript/TypeScript: {rule.fix_js}"
    return {
        "id": rule.id, "name": rule.title, "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.title},
        "help": {"text": f"{rule.title}\n\nHow to fix:\n{fix}", "markdown": f"{rule.title}\n\n**How to fix:**\n\n```\n{fix}\n```"},
        "defaultConfiguration": {"level": _level(rule.severity)},
        "properties": {"security-severity": sarif.SECURITY_SEVERITY.get(rule.severity, "1.0"), "precision": "medium",
                       "tags": ["reliability", "security", "llm"]},
    }


def _sarif_result(item: CodeFinding, index: int, occurrence: int) -> dict[str, Any]:
    from aicheck.output import sarif

    return sarif.file_result(
        item.rule, index, _level(item.severity), f"{item.message}. Fix: {item.fix}", item.file,
        {"startLine": item.line, "startColumn": item.column}, item.fingerprint, occurrence,
        {"severity": item.severity, "sdk": item.sdk},
    )


# --- junit --------------------------------------------------------------------------------------


def _junit(result: CodeResult, **_: Any) -> str:
    from aicheck.output.junit import xml_text

    by_rule: dict[str, list[CodeFinding]] = {}
    for item in result.findings:
        by_rule.setdefault(item.rule, []).append(item)
    suite = ET.Element("testsuite", {"name": f"aicheck {COMMAND}"})
    for rule_id in dict.fromkeys([*result.rules, *by_rule]):
        case = ET.SubElement(suite, "testcase", {"classname": "aicheck.code", "name": rule_id, "time": "0"})
        items = by_rule.get(rule_id, [])
        if items:
            failure = ET.SubElement(case, "failure", {"message": xml_text(f"{items[0].title}: {common.plural(len(items), 'problem')}"), "type": rule_id})
            failure.text = "\n".join(xml_text(f"{_where(item)}: {item.message} (fix: {item.fix})") for item in items)
    counts = {"tests": str(len(suite)), "failures": str(len(by_rule)), "errors": "0", "skipped": "0", "time": f"{result.duration_s:.3f}"}
    return common.junit_document(suite, counts)


# --- github -------------------------------------------------------------------------------------


def _github(result: CodeResult, **_: Any) -> str:
    from aicheck.output.github import COMMANDS, escape_data, escape_property

    lines = []
    for item in result.findings:
        props = [("file", item.file), ("line", str(item.line)), ("col", str(item.column)),
                 ("title", f"aicheck {item.rule} ({item.severity})")]
        head = ",".join(f"{name}={escape_property(common.printable(value))}" for name, value in props)
        text = common.printable(f"{item.message}. Fix: {item.fix}", keep_lines=True)
        lines.append(f"::{COMMANDS.get(item.severity, 'notice')} {head}::{escape_data(text)}")
    lines.append(common.printable(summary_line(result)))
    return "\n".join(lines) + "\n"


# --- markdown -----------------------------------------------------------------------------------


def _markdown(result: CodeResult, **_: Any) -> str:
    from aicheck.output.markdown import code, escape

    lines = [f"## aicheck {COMMAND}", ""]
    lines.append(f"**{escape(summary_line(result))}**" if result.findings else f"✅ {escape(summary_line(result))}")
    if result.findings:
        lines += ["", "| File | Line | Severity | Rule | Problem | Fix |", "|---|---|---|---|---|---|"]
        for item in result.findings[:MAX_ROWS]:
            severity = f"{_ICONS.get(item.severity, '')} {item.severity}"
            cells = (code(item.file), str(item.line), severity, code(item.rule), escape(item.message), escape(item.fix))
            lines.append("| " + " | ".join(cells) + " |")
        if len(result.findings) > MAX_ROWS:
            lines += ["", f"… and {len(result.findings) - MAX_ROWS} more; see the JSON or SARIF output for all of them."]
    if result.notes:
        lines += ["", *(f"- {escape(note)}" for note in result.notes)]
    return "\n".join(lines) + "\n"
