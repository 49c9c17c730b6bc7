"""Scan results as SARIF 2.1.0, in the shape GitHub code scanning accepts."""

from __future__ import annotations

import json
import os
from pathlib import PurePath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import aicheck
from aicheck.output import common

if TYPE_CHECKING:
    from aicheck.output.common import Options
    from aicheck.scan.finding import Finding, ScanResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/aicheck/aicheck"
SRCROOT = "%SRCROOT%"

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
TAGS = ["security", "secret", "external/cwe/cwe-798"]

HOW_TO_FIX = (
    "1. Rotate the credential now: revoke it at the provider and issue a new one. Anyone "
    "who could read this file or its history may already have it.\n"
    "2. Remove it from the code and from git history (git filter-repo or BFG), then "
    "force-push and ask collaborators to re-clone.\n"
    "3. Load the new credential from an environment variable or a secret manager, never "
    "from a committed file. Mark false positives with an `aicheck:allow` comment."
)


def render(result: ScanResult, options: Options) -> str:
    return json.dumps(document(result, options), indent=2, ensure_ascii=True) + "\n"


def document(result: ScanResult, options: Options) -> dict[str, Any]:
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [_run(result, options)]}


def _run(result: ScanResult, options: Options) -> dict[str, Any]:
    findings = common.ordered(result.findings)
    rule_ids = list(dict.fromkeys(finding.rule for finding in findings))
    run: dict[str, Any] = {
        "tool": {"driver": _driver([_rule_for(rid, findings, options) for rid in rule_ids])},
        "results": _results(findings, rule_ids, options),
    }
    if os.path.isabs(result.root):
        run["originalUriBaseIds"] = {SRCROOT: {"uri": _root_uri(result.root)}}
    return run


def _driver(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": "aicheck",
        "version": aicheck.__version__,
        "semanticVersion": aicheck.__version__,
        "informationUri": INFORMATION_URI,
        "rules": rules,
    }


def _rule_for(rule_id: str, findings: list[Finding], options: Options) -> dict[str, Any]:
    rule = options.rule(rule_id)
    if rule is not None:
        return _rule(rule.id, rule.name, rule.description, rule.severity, rule.generic)
    sample = next(finding for finding in findings if finding.rule == rule_id)
    return _rule(rule_id, sample.rule_name, sample.description, sample.severity, False)


def _rule(rule_id: str, name: str, description: str, severity: str, generic: bool) -> dict[str, Any]:
    full = description or f"{name} found in the code."
    return {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": f"Exposed {name}"},
        "fullDescription": {"text": full},
        "help": {
            "text": f"{full}\n\nHow to fix:\n{HOW_TO_FIX}",
            "markdown": f"{full}\n\n**How to fix**\n\n{HOW_TO_FIX}",
        },
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
        "properties": {
            "security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
            "precision": "medium" if generic else "high",
            "tags": TAGS,
        },
    }


def _results(findings: list[Finding], rule_ids: list[str], options: Options) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    results = []
    for finding in findings:
        # The same secret twice in one file shares a fingerprint; the occurrence keeps
        # GitHub from folding the two into one alert.
        seen[finding.fingerprint] = seen.get(finding.fingerprint, 0) + 1
        occurrence = seen[finding.fingerprint]
        results.append(_result(finding, rule_ids.index(finding.rule), occurrence, options))
    return results


def _result(finding: Finding, index: int, occurrence: int, options: Options) -> dict[str, Any]:
    return {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": _message(finding, options)},
        "locations": [_location(finding)],
        "partialFingerprints": {"primaryLocationLineHash": f"{finding.fingerprint}:{occurrence}"},
        "properties": _properties(finding),
    }


def _message(finding: Finding, options: Options) -> str:
    text = f"{finding.rule_name} exposed: {common.secret(finding, options)}"
    if finding.note:
        text += f" ({finding.note})"
    if finding.commit:
        text += f" in commit {finding.commit[:10]}"
    return text


def _location(finding: Finding) -> dict[str, Any]:
    region = {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)}
    if finding.end_column is not None and finding.end_column > region["startColumn"]:
        region["endColumn"] = finding.end_column
    artifact = {"uri": artifact_uri(finding.file), "uriBaseId": SRCROOT}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def _properties(finding: Finding) -> dict[str, Any]:
    properties: dict[str, Any] = {"severity": finding.severity, "provider": finding.provider}
    if finding.commit:
        properties["commit"] = finding.commit
    if finding.verification is not None:
        properties["verification"] = finding.verification
    return properties


def file_result(
    rule_id: str, index: int, level: str, text: str, file: str, region: dict[str, int] | None, fingerprint: str, occurrence: int,
    properties: dict[str, Any],
) -> dict[str, Any]:
    """One SARIF result at a place in a file (env check and code findings; scan has its own)."""
    location: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(file), "uriBaseId": SRCROOT}}
    if region:
        location["region"] = region
    return {
        "ruleId": rule_id, "ruleIndex": index, "level": level, "message": {"text": text},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {"primaryLocationLineHash": f"{fingerprint}:{occurrence}"},
        "properties": properties,
    }


def artifact_uri(path: str) -> str:
    """A relative URI reference: every byte percent-encoded except unreserved and '/'.

    ':' is encoded too, or ``a:b.txt`` would read as a URI with scheme ``a``.
    """
    return quote(path, safe="/", errors="surrogateescape")


def _root_uri(root: str) -> str:
    uri = PurePath(root).as_uri()
    return uri if uri.endswith("/") else uri + "/"
