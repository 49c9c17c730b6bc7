"""What every renderer shares: options, the secret to show, wording and safe display text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aicheck.scan.finding import SEVERITY_ORDER

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

    from aicheck.catalog import Rule
    from aicheck.scan.finding import Finding

# C0 and C1 controls, DEL, lone surrogates, the two Unicode non-characters XML rejects, and the
# bidi controls (a file name must not reorder what a log or a review shows: "Trojan Source").
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNPRINTABLE = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{_BIDI}]")
_UNPRINTABLE_BUT_LINES = re.compile(f"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{_BIDI}]")


@dataclass(frozen=True)
class Options:
    rules: tuple[Rule, ...]
    show_secrets: bool = False
    color: bool = False
    width: int | None = None
    verbose: bool = False

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)


def secret(finding: Finding, options: Options) -> str:
    return finding.secret if options.show_secrets else finding.secret_redacted


def ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda finding: finding.sort_key)


def by_file(findings: list[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for finding in ordered(findings):
        groups.setdefault(finding.file, []).append(finding)
    return groups


def printable(text: str, *, keep_lines: bool = False) -> str:
    """Control characters as visible escapes: a file name can neither break a line nor
    carry a terminal escape sequence into someone's log."""
    pattern = _UNPRINTABLE_BUT_LINES if keep_lines else _UNPRINTABLE
    return pattern.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def severity_counts(summary: dict[str, Any]) -> str:
    counts = summary["by_severity"]
    return ", ".join(f"{counts[name]} {name}" for name in SEVERITY_ORDER if counts.get(name))


def summary_line(summary: dict[str, Any]) -> str:
    """``3 findings (2 critical, 1 medium) in 120 files, 2 skipped, 1 allowed by inline marker``."""
    files = plural(summary["files_scanned"], "file")
    extras = _extras(summary)
    if not summary["findings"]:
        tail = f" ({', '.join(extras)})" if extras else ""
        return f"No exposed credentials found in {files}{tail}."
    head = f"{plural(summary['findings'], 'finding')} ({severity_counts(summary)}) in {files}"
    return ", ".join([head, *extras])


def _extras(summary: dict[str, Any]) -> list[str]:
    extras = []
    if summary["files_skipped"]:
        extras.append(f"{summary['files_skipped']} skipped")
    if summary["allowed"]:
        extras.append(f"{summary['allowed']} allowed by inline marker")
    return extras


def verification_status(finding: Finding) -> str:
    if not finding.verification:
        return ""
    return str(finding.verification.get("status", ""))


def junit_document(suite: ET.Element, counts: dict[str, str]) -> str:
    """One ``<testsuite>`` inside ``<testsuites name="aicheck">``, both carrying ``counts``."""
    import xml.etree.ElementTree as ET

    for name, value in counts.items():
        suite.set(name, value)
    root = ET.Element("testsuites", {"name": "aicheck", **counts})
    root.append(suite)
    ET.indent(root)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{ET.tostring(root, encoding="unicode")}\n'


def require_format(fmt: str, formats: tuple[str, ...] | list[str], command: str) -> None:
    """A usage error (exit 2) for a format ``command`` cannot write, said before any work."""
    from aicheck.errors import AicheckError

    if fmt not in formats:
        raise AicheckError(f"--format {fmt} is not available for '{command}' (use {', '.join(formats)})")
