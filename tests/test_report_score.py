"""The score formula, one deduction at a time (README.md documents the same table)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from aicheck.output import envelope
from aicheck.report import score as formula
from aicheck.report.model import (
    ERROR, NO_CHAIN, NO_FALLBACK, NOT_PROVEN, PROVEN, RAN, SKIPPED, BudgetUse, Fallback, Headroom, Part, Slo,
)
from aicheck.report.score import score

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md"]


def scan(*findings: dict[str, Any]) -> Part:
    return Part("scan", RAN, document=envelope("scan", "findings", list(findings), {"findings": len(findings), "files_scanned": 3}))


def finding(severity: str = "high", file: str = "src/config.ts", line: int = 12, live: bool = False, **extra: Any) -> dict[str, Any]:
    item = {"rule": "openai-api-key", "rule_name": "OpenAI API key", "provider": "openai", "severity": severity, "file": file, "line": line, **extra}
    if live:
        item["verification"] = {"status": "valid", "detail": "", "http_status": 200}
    return item


def env(*severities: str) -> Part:
    items = [{"id": "env.placeholder", "title": "Placeholder value", "severity": s, "file": ".env", "line": n + 1} for n, s in enumerate(severities)]
    return Part("env", RAN, document=envelope("env check", "findings", items, {"findings": len(items)}))


def keys(*statuses: str, source: str = "environment: GROQ_API_KEY") -> Part:
    items = [{"provider": "groq", "status": s, "variable": "GROQ_API_KEY", "key_redacted": "gsk_…abcd", "source": source} for s in statuses]
    return Part("keys", RAN, document=envelope("keys validate", "results", items, {"keys": len(items)}))


def smoke(*statuses: str) -> Part:
    items = [{"name": f"p{n}", "status": s, "assertions": [{"name": "icontains", "passed": s != "failed"}]} for n, s in enumerate(statuses)]
    return Part("smoke", RAN, document=envelope("smoke", "results", items, {"prompts": len(items)}))


def points(parts: list[Part], **kwargs: Any) -> list[tuple[int, str]]:
    return [(d.points, d.check) for d in score(parts, **kwargs).deductions]


def test_nothing_found_is_100() -> None:
    result = score([scan(), env(), keys("valid", "rate_limited", "unsupported"), smoke("passed")])
    assert result.value == 100 and result.deductions == () and result.grade == "good" and result.cap is None


def test_a_live_exposed_key_deducts_40_names_place_and_command_and_caps_at_20() -> None:
    result = score([scan(finding(live=True))])
    (deduction,) = result.deductions
    assert deduction.text() == "-40: a live OpenAI key in src/config.ts:12 (aicheck scan --verify)"
    assert result.value == 20 and result.cap == 20 and "a live exposed key" in result.cap_reason


def test_the_live_key_cap_holds_whatever_else_is_fine() -> None:
    """-40 alone would leave 60; the cap says the app is not ready while the key works."""
    assert score([scan(finding(live=True)), env(), keys("valid"), smoke("passed")]).value == 20


def test_two_live_keys_are_two_deductions() -> None:
    result = score([scan(finding(live=True), finding(live=True, file="app.py", line=3))])
    assert [d.points for d in result.deductions] == [40, 40] and result.value == 20
    assert "2 live exposed keys" in result.cap_reason


def test_a_working_key_the_browser_bundle_publishes_is_live_too() -> None:
    published = {"id": "env.client-exposed-secret", "title": "Secret in a client-exposed variable", "severity": "critical",
                 "file": ".env", "line": 2, "key": "VITE_GROQ_API_KEY"}
    env_part = Part("env", RAN, document=envelope("env check", "findings", [published], {"findings": 1}))
    working = [{"provider": "groq", "status": "valid", "variable": "VITE_GROQ_API_KEY", "key_redacted": "gsk_…abcd"}]
    keys_part = Part("keys", RAN, document=envelope("keys validate", "results", working, {"keys": 1}))
    result = score([env_part, keys_part])
    assert result.deductions[0].text() == "-40: a live Groq key in VITE_GROQ_API_KEY (.env:2), which the browser bundle publishes (aicheck env check)"
    assert result.value == 20 and result.cap == 20
    working[0]["status"] = "invalid"
    assert score([env_part, keys_part]).cap == 50  # not live, but still a real secret in the bundle


@pytest.mark.parametrize(("severity", "each"), [("critical", 20), ("high", 10), ("medium", 5), ("low", 2)])
def test_exposed_credentials_per_severity(severity: str, each: int) -> None:
    result = score([scan(finding(severity), finding(severity, file="b.py", line=4))])
    (deduction,) = result.deductions
    assert deduction.points == 2 * each and deduction.command == "aicheck scan --verify"
    assert deduction.reason == f"OpenAI API key: 2 {severity} findings in src/config.ts:12, b.py:4"
    real = severity in ("critical", "high")  # a real key in a provider's format caps the score at 50
    assert result.value == min(100 - 2 * each, 50 if real else 100) and (result.cap == 50) is real


def test_exposed_credentials_stop_at_60_and_say_so() -> None:
    result = score([scan(*(finding("critical", line=n) for n in range(1, 6)), finding("low"))])
    assert [d.points for d in result.deductions] == [60]
    assert "stop at 60" in result.deductions[0].reason and "and 3 more" in result.deductions[0].reason
    assert result.value == 40


@pytest.mark.parametrize(("severity", "each"), [("critical", 15), ("high", 8), ("medium", 3), ("low", 1)])
def test_env_problems_per_severity(severity: str, each: int) -> None:
    (deduction,) = score([env(severity)]).deductions
    assert (deduction.points, deduction.command) == (each, "aicheck env check")
    assert deduction.reason == f"Placeholder value: 1 {severity} finding in .env:1"


def test_env_problems_stop_at_40() -> None:
    assert sum(p for p, _ in points([env(*["critical"] * 4)])) == 40


@pytest.mark.parametrize(("status", "each"), [("invalid", 15), ("no_credit", 15), ("restricted", 15), ("unreachable", 5), ("unknown", 5)])
def test_failing_keys(status: str, each: int) -> None:
    (deduction,) = score([keys(status)]).deductions
    assert deduction.points == each and deduction.reason.startswith("the Groq key GROQ_API_KEY (gsk_…abcd) ")
    assert deduction.command == "aicheck keys validate --from-env"


def test_a_key_from_an_env_file_names_the_file_in_its_command() -> None:
    (deduction,) = score([keys("invalid", source="/srv/app/.env.production: GROQ_API_KEY")]).deductions
    assert deduction.command == "aicheck keys validate --env-file .env.production"


def test_failing_keys_stop_at_40() -> None:
    assert sum(p for p, _ in points([keys("invalid", "invalid", "no_credit", "unknown")])) == 40


@pytest.mark.parametrize(("status", "each", "why"), [("error", 15, "no provider answered"), ("failed", 8, "expectation not met (icontains)")])
def test_smoke_prompts(status: str, each: int, why: str) -> None:
    (deduction,) = score([smoke(status, "passed")]).deductions
    assert (deduction.points, deduction.reason, deduction.command) == (each, f"smoke prompt 'p0': {why}", "aicheck smoke")


def test_smoke_failures_stop_at_40() -> None:
    assert sum(p for p, _ in points([smoke(*["error"] * 4)])) == 40


@pytest.mark.parametrize(
    ("name", "target", "measured", "higher", "each", "words"),
    [
        ("availability", 0.999, 0.9, True, 10, "availability 90 % misses the SLO of 99.9 %"),
        ("error_rate", 0.01, 0.1, False, 5, "error rate 10 % misses the SLO of 1 %"),
        ("p95_latency_ms", 3000, 4200, False, 5, "p95 latency 4.20 s misses the SLO of 3.00 s"),
        ("cost_per_request_usd", 0.001, 0.0025, False, 5, "cost per request $0.0025 misses the SLO of $0.001"),
    ],
)
def test_each_missed_slo(name: str, target: float, measured: float, higher: bool, each: int, words: str) -> None:
    label = {"availability": "availability", "error_rate": "error rate", "p95_latency_ms": "p95 latency", "cost_per_request_usd": "cost per request"}[name]
    missed = Slo(name, label, target, measured, higher)
    met = Slo(name, label, target, target, higher)
    unmeasured = Slo(name, label, target, None, higher)
    (deduction,) = score([], slos=[missed, met, unmeasured]).deductions
    assert (deduction.points, deduction.reason, deduction.check) == (each, words, "slo")


def test_budget_nearly_spent() -> None:
    (deduction,) = score([], budget=BudgetUse(1.0, 0.95)).deductions
    assert deduction.points == 5 and deduction.reason == "today's spend $0.9500 is 95 % of the $1.00 daily budget"
    assert score([], budget=BudgetUse(1.0, 0.5)).deductions == ()
    assert score([], budget=BudgetUse(None, 5.0)).deductions == ()


def test_low_rate_limit_headroom() -> None:
    low = Headroom("groq", "GROQ_API_KEY", "requests", 5, 14400, "2m", "keys validate")
    fine = Headroom("groq", "GROQ_API_KEY", "tokens", 9000, 18000, None, "keys validate")
    unknown = Headroom("groq", "chain", "requests", 5, None, None, "smoke")
    (deduction,) = score([], headroom=[low, fine, unknown]).deductions
    assert deduction.points == 3 and deduction.reason == "groq requests rate limit nearly used up: 5 of 14400 left (GROQ_API_KEY)"
    assert sum(d.points for d in score([], headroom=[low] * 5).deductions) == 9


def test_fallback() -> None:
    (none,) = score([], fallback=Fallback(NO_FALLBACK, "", ("groq",))).deductions
    assert none.points == 10 and none.reason == "no fallback: [[chain]] has one provider (groq)"
    (unproven,) = score([], fallback=Fallback(NOT_PROVEN, "", ("groq", "openrouter"))).deductions
    assert unproven.points == 5 and unproven.command == "aicheck smoke --drill groq"
    assert score([], fallback=Fallback(PROVEN, "", ("groq", "openrouter"))).deductions == ()
    assert score([], fallback=Fallback(NO_CHAIN, "")).deductions == ()


def test_a_part_that_could_not_run_deducts_10_and_a_skipped_one_nothing() -> None:
    parts = [Part("scan", ERROR, "state file locked"), Part("smoke", SKIPPED, "--offline")]
    (deduction,) = score(parts).deductions
    assert deduction.text() == "-10: scan could not run: state file locked (aicheck scan)"


def test_deductions_add_up_worst_first_and_never_below_zero() -> None:
    result = score([scan(finding("critical")), env("high"), keys("invalid"), smoke("failed")])
    assert [d.points for d in result.deductions] == [20, 15, 8, 8] and result.value == 49 and result.grade == "poor"
    assert score([scan(*[finding("critical")] * 3), env(*["critical"] * 3), keys(*["invalid"] * 3), smoke(*["error"] * 3)]).value == 0


def test_grades() -> None:
    assert [score([env(*["low"] * n)]).grade for n in (10, 11, 30)] == ["good", "fair", "fair"]
    assert score([env("critical", "critical", "critical")]).grade == "poor"


def test_score_is_pure() -> None:
    parts = [scan(finding("high")), smoke("error")]
    assert score(parts) == score(parts)


def test_docs_state_the_same_points() -> None:
    """The documented formula is the one users read: each number in the code is in its table."""
    text = "\n".join(path.read_text() for path in DOCS if path.is_file())
    table = {
        "live exposed key": formula.LIVE_KEY_POINTS, "at most": formula.LIVE_KEY_CAP,
        "could not run": formula.PART_ERROR_POINTS, "no fallback": formula.NO_FALLBACK_POINTS,
        "fallback not proven": formula.UNPROVEN_FALLBACK_POINTS, "budget": formula.BUDGET_POINTS,
    }
    for words, number in table.items():
        assert re.search(rf"{re.escape(words)}[^\n]*\b{number}\b", text, re.IGNORECASE), (words, number)
    for severity in ("critical", "high", "medium", "low"):
        row = re.search(rf"^\| {severity} \|(.*)$", text, re.MULTILINE)
        assert row, severity
        assert f"-{formula.SCAN_POINTS[severity]}" in row.group(1) and f"-{formula.ENV_POINTS[severity]}" in row.group(1)


def test_info_findings_cost_nothing() -> None:
    public = finding("info", note="public key: …", rule="posthog-project-key")
    placeholder = {"id": "env.placeholder", "title": "Placeholder value", "severity": "info", "file": ".env.test", "line": 1}
    env_part = Part("env", RAN, document=envelope("env check", "findings", [placeholder], {"findings": 1}))
    result = score([scan(public, finding("info")), env_part])
    assert result.value == 100 and result.deductions == ()


def test_deductions_are_grouped_by_cause_each_with_its_command() -> None:
    generic = {"rule": "generic-api-key", "rule_name": "Generic secret assignment", "provider": None, "severity": "medium", "file": "a.py", "line": 2}
    result = score([scan(finding("high"), finding("medium", file="b.py"), generic, {**generic, "line": 9})])
    reasons = {d.reason: d.command for d in result.deductions}
    assert reasons == {
        "OpenAI API key: 2 high/medium findings in src/config.ts:12, b.py:12": "aicheck scan --verify",
        "Generic secret assignment: 2 medium findings in a.py:2, a.py:9": "aicheck scan",
    }


def test_a_real_key_caps_at_50_and_a_generic_match_does_not() -> None:
    assert score([scan(finding("high"))]).cap == formula.REAL_KEY_CAP == 50
    generic = {"rule": "generic-api-key", "rule_name": "Generic secret assignment", "provider": None, "severity": "high", "file": "a.py", "line": 2}
    assert score([scan(generic)]).cap is None
    assert re.search(rf"caps it at {formula.REAL_KEY_CAP}\b", "\n".join(path.read_text() for path in DOCS))
