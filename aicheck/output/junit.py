"""Scan results as JUnit XML: a failing test case per file with findings (GitLab, Jenkins)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from aicheck.output import common

if TYPE_CHECKING:
    from aicheck.output.common import Options
    from aicheck.scan.finding import Finding, ScanResult, Skipped

SUITE = "aicheck scan"
CLASSNAME = "aicheck.scan"
CLEAN_CASE = "no exposed credentials"


def render(result: ScanResult, options: Options) -> str:
    suite = _suite(result, options)
    return common.junit_document(suite, _counts(suite, result))


def _suite(result: ScanResult, options: Options) -> ET.Element:
    suite = ET.Element("testsuite", {"name": SUITE})
    for path, findings in common.by_file(result.findings).items():
        suite.append(_failing_case(path, findings, options))
    if not result.findings:
        suite.append(_case(CLEAN_CASE))
    if options.verbose:
        suite.extend(_skipped_case(item) for item in result.skipped)
    for name, value in _counts(suite, result).items():
        suite.set(name, value)
    return suite


def _counts(suite: ET.Element, result: ScanResult) -> dict[str, str]:
    cases = suite.findall("testcase")
    return {
        "tests": str(len(cases)),
        "failures": str(sum(1 for case in cases if case.find("failure") is not None)),
        "errors": "0",
        "skipped": str(sum(1 for case in cases if case.find("skipped") is not None)),
        "time": f"{result.duration_s:.3f}",
    }


def _case(name: str) -> ET.Element:
    safe = xml_text(name)
    return ET.Element("testcase", {"classname": CLASSNAME, "name": safe, "file": safe, "time": "0"})


def _failing_case(path: str, findings: list[Finding], options: Options) -> ET.Element:
    case = _case(path)
    if all(finding.severity == "info" for finding in findings):  # listed, not failed (aicheck.severity)
        ET.SubElement(case, "system-out").text = "\n".join(xml_text(_describe(finding, options)) for finding in findings)
        return case
    message = f"{common.plural(len(findings), 'exposed credential')} in {path}"
    failure = ET.SubElement(case, "failure", {"message": xml_text(message), "type": "exposed-credential"})
    failure.text = "\n".join(xml_text(_describe(finding, options)) for finding in findings)
    return case


def _describe(finding: Finding, options: Options) -> str:
    where = f"line {finding.line}, column {finding.column}"
    what = f"{finding.rule_name} [{finding.severity}]: {common.secret(finding, options)}"
    extra = "".join(f" ({part})" for part in (finding.note, _commit(finding)) if part)
    return f"{where}: {what}{extra}"


def _commit(finding: Finding) -> str:
    return f"commit {finding.commit}" if finding.commit else ""


def _skipped_case(item: Skipped) -> ET.Element:
    case = _case(item.file)
    ET.SubElement(case, "skipped", {"message": xml_text(item.reason)})
    return case


def xml_text(text: str) -> str:
    """One line XML 1.0 can carry: characters it forbids (most controls, lone surrogates)
    and line breaks become visible escapes; ElementTree escapes the rest."""
    return common.printable(text)
