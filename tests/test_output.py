from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import unquote

import pytest

import aicheck
from aicheck.catalog import load
from aicheck.output import FORMATS, envelope, render_scan
from aicheck.output.common import summary_line
from aicheck.scan.finding import Finding, ScanResult, Skipped, fingerprint, redact

RULES = load().rules
ANSI = re.compile("\x1b\\[")
TRICKY_NAMES = [
    "dir with space/.env",
    "a,b:c.py",
    "pipe|name.md",
    "100%.txt",
    "new\nline.py",
    "cr\rreturn.py",
    "ünïcødé/ключ.env",
    "tab\tand\x1bescape.py",
    "back`tick.js",
    "`start.py",
    "star*under_score[1].ts",
]


def groq_key() -> str:
    return "gsk_" + secrets.token_hex(26)


def make_finding(
    file: str = "src/app.py",
    *,
    line: int = 3,
    column: int = 9,
    severity: str = "critical",
    rule: str = "groq-api-key",
    rule_name: str = "Groq API key",
    provider: str | None = "groq",
    secret: str | None = None,
    **extra: Any,
) -> Finding:
    secret = secret or groq_key()
    return Finding(
        rule=rule,
        rule_name=rule_name,
        provider=provider,
        severity=severity,
        file=file,
        line=line,
        column=column,
        secret=secret,
        secret_redacted=redact(secret, "gsk_"),
        fingerprint=extra.pop("fingerprint", None) or fingerprint(rule, secret, file),
        end_column=column + len(secret),
        **extra,
    )


def make_result(findings: list[Finding], **extra: Any) -> ScanResult:
    values: dict[str, Any] = {"root": ".", "files_scanned": 120, "duration_s": 0.25, **extra}
    return ScanResult(findings=findings, **values)


def mixed_result() -> ScanResult:
    findings = [
        make_finding("src/app.py", line=3),
        make_finding("src/app.py", line=10, severity="medium", rule="generic-api-key",
                     rule_name="Generic secret assignment", provider=None),
        make_finding("config/.env", line=1, severity="high", rule="google-api-key",
                     rule_name="Google API key", provider="gemini", note="found in base64 value"),
    ]
    skipped = [Skipped("logo.png", "binary"), Skipped("dump.sql", "too large (12.0 MB > 5.0 MB)")]
    return make_result(findings, skipped=skipped, allowed=1)


def render(result: ScanResult, fmt: str, **options: Any) -> str:
    return render_scan(result, fmt, rules=RULES, **options)


# --- dispatch and envelope ---------------------------------------------------------------


def test_formats_are_the_documented_ones() -> None:
    assert FORMATS == ("text", "json", "sarif", "junit", "github", "markdown")


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="html"):
        render(make_result([]), "html")


def test_envelope_has_the_documented_shape() -> None:
    doc = envelope("keys validate", "results", [{"a": 1}], {"total": 1})
    assert list(doc) == ["tool", "version", "schema", "command", "results", "summary"]
    assert doc["tool"] == "aicheck"
    assert doc["version"] == aicheck.__version__
    assert doc["schema"] == 1
    assert doc["command"] == "keys validate"
    assert doc["results"] == [{"a": 1}]


def test_importing_output_and_rendering_json_does_not_load_rich() -> None:
    code = (
        "import sys\n"
        "from aicheck.output import render_scan\n"
        "from aicheck.scan.finding import ScanResult\n"
        "render_scan(ScanResult(root='.', findings=[]), 'json', rules=())\n"
        "render_scan(ScanResult(root='.', findings=[]), 'sarif', rules=())\n"
        "assert not any(m == 'rich' or m.startswith('rich.') for m in sys.modules), 'rich loaded'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_summary_line_wording() -> None:
    summary = {
        "findings": 3,
        "by_severity": {"critical": 2, "high": 0, "medium": 1, "low": 0},
        "files_scanned": 120,
        "files_skipped": 2,
        "allowed": 1,
    }
    expected = "3 findings (2 critical, 1 medium) in 120 files, 2 skipped, 1 allowed by inline marker"
    assert summary_line(summary) == expected
    clean = {**summary, "findings": 0, "files_scanned": 1, "files_skipped": 0, "allowed": 0}
    assert summary_line(clean) == "No exposed credentials found in 1 file."


# --- secrets and colour in every format ---------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_full_secret_never_shown_by_default(fmt: str) -> None:
    result = mixed_result()
    output = render(result, fmt, verbose=True)
    for finding in result.findings:
        assert finding.secret not in output
        assert finding.secret[4:] not in output
        assert finding.secret[-12:] not in output


@pytest.mark.parametrize("fmt", FORMATS)
def test_full_secret_shown_with_show_secrets(fmt: str) -> None:
    result = mixed_result()
    output = render(result, fmt, show_secrets=True)
    for finding in result.findings:
        assert finding.secret in output


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "text"])
def test_machine_formats_never_carry_ansi(fmt: str) -> None:
    output = render(mixed_result(), fmt, color=True, verbose=True)
    assert not ANSI.search(output)
    assert "\x1b" not in output


# --- text ---------------------------------------------------------------------------------


def test_text_groups_findings_by_file_and_ends_with_summary() -> None:
    output = render(mixed_result(), "text")
    lines = output.splitlines()
    assert "config/.env" in lines and "src/app.py" in lines
    assert lines.index("config/.env") < lines.index("src/app.py")
    assert re.search(r"^3:9\s+critical\s+Groq API key\s+groq\s+gsk_…\w{4}", output, re.M)
    assert re.search(r"^10:9\s+medium\s+Generic secret assignment\s+-", output, re.M)
    assert "found in base64 value" in output
    expected = "3 findings (1 critical, 1 high, 1 medium) in 120 files, 2 skipped, 1 allowed by inline marker"
    assert lines[-1] == expected


def test_text_clean_result() -> None:
    output = render(make_result([], files_scanned=42), "text")
    assert output.strip() == "No exposed credentials found in 42 files."


def test_text_verbose_lists_skipped_files() -> None:
    assert "logo.png" not in render(mixed_result(), "text")
    output = render(mixed_result(), "text", verbose=True)
    assert re.search(r"^logo\.png\s+binary$", output, re.M)
    assert re.search(r"^dump\.sql\s+too large \(12\.0 MB > 5\.0 MB\)$", output, re.M)


def test_text_colour_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b" not in render(mixed_result(), "text", color=False)
    monkeypatch.setenv("NO_COLOR", "1")
    coloured = render(mixed_result(), "text", color=True)
    assert "\x1b[" in coloured
    assert re.sub("\x1b\\[[0-9;]*m", "", coloured).splitlines()[-1].startswith("3 findings")


def test_text_respects_width_and_keeps_shown_secret_whole() -> None:
    finding = make_finding(note="a rather long note that explains where this key was found")
    output = render(make_result([finding]), "text", width=90, show_secrets=True)
    assert max(len(line) for line in output.splitlines()) <= 90
    assert finding.secret in output


def test_text_shows_commit_and_verification() -> None:
    finding = make_finding(commit="0123456789abcdef" * 2 + "01234567",
                           verification={"status": "invalid", "detail": "401"})
    output = render(make_result([finding]), "text", width=140)
    assert "Commit" in output and "0123456789" in output
    assert "verified: invalid" in output


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_text_tricky_names_cannot_break_lines_or_inject_escapes(name: str) -> None:
    output = render(make_result([make_finding(name)]), "text")
    assert "\x1b" not in output and "\r" not in output
    assert len(output.splitlines()) == 6  # blank, heading, header, row, blank, summary


# --- json ---------------------------------------------------------------------------------


def test_json_envelope_and_finding_fields() -> None:
    result = mixed_result()
    doc = json.loads(render(result, "json"))
    assert list(doc) == ["tool", "version", "schema", "command", "findings", "summary"]
    assert (doc["tool"], doc["version"], doc["schema"], doc["command"]) == (
        "aicheck", aicheck.__version__, 1, "scan")
    assert doc["summary"] == result.summary()
    assert len(doc["findings"]) == 3
    by_line = {(f["file"], f["line"]): f for f in doc["findings"]}
    groq = by_line[("src/app.py", 3)]
    source = result.findings[0]
    for key in ("rule", "provider", "severity", "file", "line", "column", "commit",
                "secret_redacted", "fingerprint"):
        assert key in groq
    assert groq["rule"] == "groq-api-key" and groq["provider"] == "groq"
    assert groq["severity"] == "critical" and groq["column"] == 9 and groq["commit"] is None
    assert groq["secret_redacted"] == source.secret_redacted
    assert groq["fingerprint"] == source.fingerprint
    assert by_line[("src/app.py", 10)]["provider"] is None
    assert "secret" not in groq


def test_json_findings_are_in_stable_order() -> None:
    result = mixed_result()
    first = render(result, "json")
    result.findings.reverse()
    assert render(result, "json") == first
    files = [(f["file"], f["line"]) for f in json.loads(first)["findings"]]
    assert files == sorted(files)


def test_json_show_secrets_adds_the_secret() -> None:
    result = mixed_result()
    doc = json.loads(render(result, "json", show_secrets=True))
    assert {f["secret"] for f in doc["findings"]} == {f.secret for f in result.findings}


def test_json_verification_and_commit() -> None:
    finding = make_finding(commit="a" * 40, verification={"status": "valid", "detail": "org: acme"})
    doc = json.loads(render(make_result([finding]), "json"))
    assert doc["findings"][0]["commit"] == "a" * 40
    assert doc["findings"][0]["verification"] == {"status": "valid", "detail": "org: acme"}


def test_json_empty_result() -> None:
    doc = json.loads(render(make_result([], files_scanned=7), "json"))
    assert doc["findings"] == []
    assert doc["summary"]["findings"] == 0 and doc["summary"]["files_scanned"] == 7


@pytest.mark.parametrize("name", [*TRICKY_NAMES, "undecodable\udcff.bin"])
def test_json_tricky_names_round_trip(name: str) -> None:
    # finding.fingerprint() cannot hash a path holding a lone surrogate (undecodable bytes).
    output = render(make_result([make_finding(name, fingerprint="0" * 32)]), "json")
    output.encode("ascii")  # writable to any stream
    assert json.loads(output)["findings"][0]["file"] == name


# --- sarif --------------------------------------------------------------------------------

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def check_sarif(doc: dict[str, Any]) -> None:
    """What GitHub code scanning requires of an upload (and what it recommends)."""
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "aicheck" and driver["version"] == aicheck.__version__
    assert driver["informationUri"].startswith("https://")
    for rule in driver["rules"]:
        check_sarif_rule(rule)
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    assert set(ids) == {result["ruleId"] for result in run["results"]}
    for result in run["results"]:
        check_sarif_result(result, ids)
    assert len(run["results"]) <= 25_000
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]]
    assert len(hashes) == len(set(hashes))


def check_sarif_rule(rule: dict[str, Any]) -> None:
    assert rule["id"] and rule["name"]
    for key in ("shortDescription", "fullDescription"):
        assert rule[key]["text"]
    assert "Rotate" in rule["help"]["text"] and "Rotate" in rule["help"]["markdown"]
    assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    props = rule["properties"]
    assert 0.1 <= float(props["security-severity"]) <= 10
    assert props["precision"] in {"very-high", "high", "medium", "low"}
    assert {"security", "secret"} <= set(props["tags"])


def check_sarif_result(result: dict[str, Any], ids: list[str]) -> None:
    assert ids[result["ruleIndex"]] == result["ruleId"]
    assert result["level"] in {"error", "warning", "note"}
    assert result["message"]["text"]
    location = result["locations"][0]["physicalLocation"]
    uri = location["artifactLocation"]["uri"]
    assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert not re.search(r"[\x00-\x20:|`]", uri) and not uri.startswith("/")
    region = location["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1
    assert region.get("endColumn", region["startColumn"] + 1) > region["startColumn"]
    assert result["partialFingerprints"]["primaryLocationLineHash"]


def test_sarif_shape_accepted_by_github_code_scanning() -> None:
    result = mixed_result()
    doc = json.loads(render(result, "sarif"))
    check_sarif(doc)
    run = doc["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [
        "google-api-key", "groq-api-key", "generic-api-key"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    for finding in result.findings:
        sarif_result = by_rule[finding.rule]
        assert sarif_result["level"] == LEVEL[finding.severity]
        assert finding.rule_name in sarif_result["message"]["text"]
        assert finding.secret_redacted in sarif_result["message"]["text"]
        location = sarif_result["locations"][0]["physicalLocation"]
        assert unquote(location["artifactLocation"]["uri"]) == finding.file
        assert location["region"] == {"startLine": finding.line, "startColumn": finding.column,
                                      "endColumn": finding.end_column}


def test_sarif_rule_metadata_comes_from_the_catalog() -> None:
    doc = json.loads(render(mixed_result(), "sarif"))
    rules = {rule["id"]: rule for rule in doc["runs"][0]["tool"]["driver"]["rules"]}
    catalog = {rule.id: rule for rule in RULES}
    assert rules["groq-api-key"]["fullDescription"]["text"] == catalog["groq-api-key"].description
    assert rules["groq-api-key"]["properties"]["security-severity"] == "9.5"
    assert rules["google-api-key"]["properties"]["security-severity"] == "8.0"
    assert rules["generic-api-key"]["properties"]["security-severity"] == "5.5"
    assert rules["generic-api-key"]["properties"]["precision"] == "medium"
    assert rules["groq-api-key"]["properties"]["precision"] == "high"
    assert rules["groq-api-key"]["defaultConfiguration"]["level"] == "error"


def test_sarif_rule_missing_from_catalog_is_described_from_the_finding() -> None:
    finding = make_finding(rule="custom-gateway-key", rule_name="Gateway key", severity="low",
                           description="Key of the company LLM gateway.")
    doc = json.loads(render_scan(make_result([finding]), "sarif", rules=(RULES[0],)))
    check_sarif(doc)
    rule = doc["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["id"] == "custom-gateway-key"
    assert rule["fullDescription"]["text"] == "Key of the company LLM gateway."
    assert rule["properties"]["security-severity"] == "3.0"
    assert doc["runs"][0]["results"][0]["level"] == "note"


def test_sarif_same_secret_twice_in_a_file_keeps_two_alerts() -> None:
    key = groq_key()
    findings = [make_finding(line=1, secret=key), make_finding(line=9, secret=key)]
    doc = json.loads(render(make_result(findings), "sarif"))
    check_sarif(doc)
    assert len(doc["runs"][0]["results"]) == 2


def test_sarif_fingerprint_is_stable_when_lines_move() -> None:
    key = groq_key()
    before = json.loads(render(make_result([make_finding(line=3, secret=key)]), "sarif"))
    after = json.loads(render(make_result([make_finding(line=30, secret=key)]), "sarif"))
    fingerprints = [doc["runs"][0]["results"][0]["partialFingerprints"] for doc in (before, after)]
    assert fingerprints[0] == fingerprints[1]


def test_sarif_empty_result_is_valid() -> None:
    doc = json.loads(render(make_result([]), "sarif"))
    check_sarif(doc)
    assert doc["runs"][0]["results"] == [] and doc["runs"][0]["tool"]["driver"]["rules"] == []


def test_sarif_absolute_root_becomes_srcroot(tmp_path: Any) -> None:
    doc = json.loads(render(make_result([make_finding()], root=str(tmp_path)), "sarif"))
    base = doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file://") and base.endswith("/")


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_sarif_tricky_names_are_uri_encoded(name: str) -> None:
    doc = json.loads(render(make_result([make_finding(name)]), "sarif"))
    check_sarif(doc)
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert unquote(uri) == name


# --- junit --------------------------------------------------------------------------------


def parse_junit(output: str) -> ET.Element:
    assert output.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(output.encode("utf-8"))


def test_junit_one_failing_case_per_file() -> None:
    result = mixed_result()
    root = parse_junit(render(result, "junit"))
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "aicheck scan"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "2", "2", "0", "0")
    assert suite.get("time") == "0.250" and root.get("tests") == "2"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"src/app.py", "config/.env"}
    app = cases["src/app.py"]
    assert app.get("classname") == "aicheck.scan" and app.get("file") == "src/app.py"
    failure = app.find("failure")
    assert failure is not None and "2 exposed credentials" in (failure.get("message") or "")
    text = failure.text or ""
    assert text.count("\n") == 1
    assert "line 3, column 9: Groq API key [critical]" in text
    assert result.findings[0].secret_redacted in text and "line 10" in text


def test_junit_clean_result_has_one_passing_case() -> None:
    root = parse_junit(render(make_result([]), "junit"))
    cases = list(root.iter("testcase"))
    assert [case.get("name") for case in cases] == ["no exposed credentials"]
    assert list(cases[0]) == []
    assert root.find("testsuite").get("failures") == "0"  # type: ignore[union-attr]


def test_junit_verbose_reports_skipped_files() -> None:
    root = parse_junit(render(mixed_result(), "junit", verbose=True))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("skipped") == "2" and suite.get("tests") == "4"
    skipped = [case for case in suite.iter("testcase") if case.find("skipped") is not None]
    assert skipped[0].get("name") == "logo.png"
    assert skipped[0].find("skipped").get("message") == "binary"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", [*TRICKY_NAMES, "nul\x00bell\x07.py", "bad\ufffe\udcff.py",
                                  "<tag attr=\"x\">&amp;'.py"])
def test_junit_is_well_formed_with_odd_names(name: str) -> None:
    finding = make_finding(name, note="note with \x0c form feed", fingerprint="0" * 32)
    root = parse_junit(render(make_result([finding]), "junit"))
    case = root.find("testsuite/testcase")
    assert case is not None
    if name.isprintable():
        assert case.get("name") == name and case.get("file") == name


# --- github annotations -------------------------------------------------------------------

ANNOTATION = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse_github(output: str) -> tuple[list[tuple[str, dict[str, str], str]], list[str]]:
    annotations, plain = [], []
    for line in output.splitlines():
        match = ANNOTATION.match(line)
        if not match:
            plain.append(line)
            continue
        props = dict(prop.split("=", 1) for prop in match.group(2).split(","))
        annotations.append((match.group(1), {k: unescape(v) for k, v in props.items()},
                            unescape(match.group(3))))
    return annotations, plain


def test_github_one_annotation_per_finding_and_a_summary() -> None:
    result = mixed_result()
    annotations, plain = parse_github(render(result, "github"))
    assert [a[0] for a in annotations] == ["error", "error", "warning"]  # .env high, app critical, medium
    command, props, message = annotations[1]
    assert props["file"] == "src/app.py" and props["line"] == "3" and props["col"] == "9"
    assert props["title"] == "aicheck: Groq API key (critical)"
    assert message.startswith("Exposed Groq API key: gsk_…")
    assert "found in base64 value" in annotations[0][2]
    assert plain == ["3 findings (1 critical, 1 high, 1 medium) in 120 files, 2 skipped, "
                     "1 allowed by inline marker"]


def test_github_low_severity_is_a_notice() -> None:
    annotations, _ = parse_github(render(make_result([make_finding(severity="low")]), "github"))
    assert annotations[0][0] == "notice"


def test_github_clean_result_is_only_the_summary() -> None:
    annotations, plain = parse_github(render(make_result([], files_scanned=3), "github"))
    assert annotations == [] and plain == ["No exposed credentials found in 3 files."]


def test_github_stdin_finding_has_no_file_property() -> None:
    annotations, _ = parse_github(render(make_result([make_finding("-")]), "github"))
    assert "file" not in annotations[0][1]


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_github_tricky_names_round_trip(name: str) -> None:
    finding = make_finding(name, note="50% sure, line1\nline2: ok")
    output = render(make_result([finding]), "github")
    assert len(output.splitlines()) == 2
    annotations, _ = parse_github(output)
    _, props, message = annotations[0]
    assert props["file"] == name.replace("\t", "\\x09").replace("\x1b", "\\x1b")  # line breaks round-trip, other controls are shown
    assert "50% sure, line1\nline2: ok" in message


def test_github_file_names_cannot_carry_bidi_or_escape_sequences() -> None:
    output = render(make_result([make_finding("ok\u202egnp.py"), make_finding("a\x1b[31m.py")]), "github")
    assert "\u202e" not in output and "\x1b" not in output
    assert "ok\\u202egnp.py" in output


# --- markdown -----------------------------------------------------------------------------


def table_rows(output: str) -> list[list[str]]:
    rows = [line for line in output.splitlines() if line.startswith("|")]
    return [re.split(r"(?<!\\)\|", row)[1:-1] for row in rows]


def test_markdown_summary_and_table() -> None:
    result = mixed_result()
    output = render(result, "markdown")
    assert output.startswith("## aicheck scan\n")
    assert "3 findings (1 critical, 1 high, 1 medium) in 120 files" in output
    rows = table_rows(output)
    assert [cell.strip() for cell in rows[0]] == ["File", "Line", "Severity", "Rule", "Provider", "Secret"]
    assert len(rows) == 2 + len(result.findings)
    assert all(len(row) == 6 for row in rows)
    assert any(result.findings[0].secret_redacted in row[5] for row in rows[2:])


def test_markdown_clean_result() -> None:
    output = render(make_result([], files_scanned=5), "markdown")
    assert "No exposed credentials found in 5 files." in output
    assert table_rows(output) == []


def test_markdown_verbose_lists_skipped_files() -> None:
    output = render(mixed_result(), "markdown", verbose=True)
    assert "<details>" in output and "`logo.png`: binary" in output


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_markdown_tricky_names_keep_the_table_intact(name: str) -> None:
    output = render(make_result([make_finding(name, rule_name="Key | with `ticks`")]), "markdown")
    rows = table_rows(output)
    assert len(rows) == 3 and all(len(row) == 6 for row in rows)
    assert "\r" not in output and "\x1b" not in output
    assert "\\|" in rows[2][3] and "\\`" in rows[2][3]


def test_markdown_code_span_survives_backticks() -> None:
    output = render(make_result([make_finding("a``b.py")]), "markdown")
    assert "```a``b.py```" in output


def test_markdown_renders_as_a_gfm_table_with_the_original_names() -> None:
    markdown_it = pytest.importorskip("markdown_it")  # rich's own dependency
    names = [n for n in TRICKY_NAMES if n.isprintable()] + ["a``b.py", "x\\|y.py", "<b>&amp;.py"]
    result = make_result([make_finding(name) for name in names])
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(render(result, "markdown"))
    root = ET.fromstring(f"<root>{html}</root>")
    rows = root.findall("table/tbody/tr")
    assert len(rows) == len(names)
    assert all(len(row.findall("td")) == 6 for row in rows)
    assert sorted(row.find("td/code").text for row in rows) == sorted(names)  # type: ignore[union-attr]
