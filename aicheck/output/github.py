"""Scan results as GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aicheck.output import common

if TYPE_CHECKING:
    from aicheck.output.common import Options
    from aicheck.scan.finding import Finding, ScanResult

COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}
STDIN = "-"


def render(result: ScanResult, options: Options) -> str:
    lines = [annotation(finding, options) for finding in common.ordered(result.findings)]
    lines.append(common.printable(common.summary_line(result.summary())))
    return "\n".join(lines) + "\n"


def annotation(finding: Finding, options: Options) -> str:
    command = COMMANDS.get(finding.severity, "warning")
    properties = ",".join(f"{name}={escape_property(value)}" for name, value in _properties(finding))
    return f"::{command} {properties}::{escape_data(_message(finding, options))}"


def _properties(finding: Finding) -> list[tuple[str, str]]:
    # A file name may hold control or bidi characters: shown as escapes (an ESC or a bidi override
    # in a log line is acted on by the log viewer); CR and LF keep GitHub's own %0D/%0A escapes.
    props = [] if finding.file == STDIN else [("file", common.printable(finding.file, keep_lines=True))]
    props += [("line", str(finding.line)), ("col", str(finding.column))]
    if finding.end_column is not None:
        props.append(("endColumn", str(finding.end_column)))
    props.append(("title", f"aicheck: {common.printable(finding.rule_name)} ({finding.severity})"))
    return props


def _message(finding: Finding, options: Options) -> str:
    parts = [f"Exposed {finding.rule_name}: {common.secret(finding, options)}"]
    parts += [finding.note] if finding.note else []
    parts += [f"commit {finding.commit}"] if finding.commit else []
    parts += [f"verified: {common.verification_status(finding)}"] if finding.verification else []
    parts += [f"file {finding.file}"] if finding.file == STDIN else []
    return common.printable(" · ".join(parts), keep_lines=True)


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
