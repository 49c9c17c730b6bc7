"""The renderers of ``keys validate`` and the library entry point, on results made in memory."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET

import pytest

from aicheck.errors import AicheckError
from aicheck.output.keys import FORMATS, facts, render_keys
from aicheck.validate import Check, KeyInput, KeyReport, KeyResult, validate_keys
from aicheck.validate.result import redact_key, scrub
from tests.fakes.fixtures import FAST, key_for
from tests.fakes.providers import ANSWERS, FakeProviders
from tests.keygen import KEYGEN

KEY = KEYGEN["groq-api-key"]()


def report(*checks: Check) -> KeyReport:
    results = [KeyResult(KEY, redact_key(KEY), check, source="argument 1") for check in checks]
    return KeyReport(results, 0.25)


VALID = Check("groq", "valid", 200, "", {"rate_limit": {"requests": {"limit": 100, "remaining": 99, "reset": "1s"}}, "models_available": 2})
INVALID = Check("groq", "invalid", 401, "HTTP 401: Invalid <API> | Key & `co`")


@pytest.mark.parametrize("fmt", FORMATS)
def test_renderers_show_only_the_redacted_key(fmt: str) -> None:
    text = render_keys(report(VALID, INVALID), fmt, verbose=True)
    shown = json.dumps(json.loads(text), ensure_ascii=False) if fmt == "json" else text
    assert KEY not in shown and redact_key(KEY) in shown


def test_json_result_fields() -> None:
    doc = json.loads(render_keys(report(VALID), "json"))
    (result,) = doc["results"]
    assert result["key_redacted"] == f"gsk_…{KEY[-4:]}" and result["status"] == "valid" and result["http_status"] == 200
    assert doc["summary"]["by_status"]["valid"] == 1 and doc["summary"]["duration_s"] == 0.25


def test_junit_one_case_per_key() -> None:
    root = ET.fromstring(render_keys(report(VALID, INVALID, Check("perplexity", "unsupported", detail="no check")), "junit"))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 3 and root.get("failures") == "1" and root.get("skipped") == "1"
    assert cases[1].find("failure").get("type") == "invalid"  # type: ignore[union-attr]


def test_markdown_escapes_provider_messages() -> None:
    text = render_keys(report(INVALID), "markdown")
    assert "\\<API\\> \\| Key \\& \\`co\\`" in text


def test_github_annotates_failures_only() -> None:
    lines = render_keys(report(VALID, INVALID), "github").splitlines()
    assert lines[0].startswith("::error title=aicheck%3A key invalid::groq key gsk_…") and len(lines) == 2


def test_sarif_is_not_offered() -> None:
    with pytest.raises(AicheckError, match="not available"):
        render_keys(report(VALID), "sarif")


def test_facts_in_words() -> None:
    said = facts({
        "organization": "acme", "limit": 10, "limit_remaining": 0.5, "usage": 9.5, "is_free_tier": True,
        "rate_limit": {"tokens": {"limit": 1000, "remaining": 10}}, "retry_after": "3",
        "chain_models": {"a": True, "b": False}, "balance": ["1.00", "2.00"], "currency": ["USD", "CNY"],
    })
    assert said == [
        "organization: acme", "credit left: 0.5 of 10", "used: 9.5", "free tier", "balance: 1.00 USD, 2.00 CNY",
        "tokens: 10/1000 left", "retry after 3 s", "chain model a: available", "chain model b: NOT available to this key",
    ]


def test_key_is_not_in_reprs_or_scrubbed_text() -> None:
    item = KeyInput(KEY, name="GROQ_API_KEY")
    result = KeyResult(KEY, redact_key(KEY), INVALID)
    assert KEY not in repr(item) and KEY not in repr(result)
    assert scrub(f"bad key {KEY}!", KEY) == f"bad key gsk_…{KEY[-4:]}!"
    assert KEY not in scrub(f"?key={KEY.replace('_', '%5F')}", KEY)


def test_redaction_hides_short_values_entirely() -> None:
    from aicheck.catalog import load

    assert redact_key("short") == "…"
    assert redact_key("sk-ant-api03-abc", load().rule("anthropic-api-key")) == "sk-ant-api03-…"


def test_validate_keys_from_async_code(fake: FakeProviders) -> None:
    """The scanner or the report may call it from inside an event loop."""
    item = key_for("groq")
    fake.answer("groq", ANSWERS["groq"]["valid"], key=item.key)

    async def inside() -> list[KeyResult]:
        return validate_keys([item], env=fake.env(), settings=FAST)

    assert asyncio.run(inside())[0].status == "valid"
