"""Networks and servers misbehaving: timeouts, refused connections, slow answers, broken bodies,
proxies, redirects, retries, the concurrency bound."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from aicheck.validate.engine import Settings
from tests.fakes.fixtures import FAST, check, check_one, key_for
from tests.fakes.providers import ANSWERS, FakeProviders, Reply, Request, closed_port

QUICK = dataclasses.replace(FAST, timeout=0.5)


def test_timeout_is_retried_then_unreachable(fake: FakeProviders) -> None:
    item = key_for("openai")
    fake.answer("openai", Reply(200, ANSWERS["openai"]["valid"].json, delay=1.5), key=item.key)
    started = time.monotonic()
    result = check_one(fake, item, settings=QUICK)
    assert result.status == "unreachable" and result.check.http_status is None
    assert result.check.detail == "no answer within 0.5 s (2 attempts)"
    assert len(fake.received()) == 2 and time.monotonic() - started < 1.5


def test_connection_refused_is_unreachable(fake: FakeProviders) -> None:
    port = closed_port()
    result = check_one(fake, key_for("groq"), env={"AICHECK_GROQ_BASE_URL": f"http://127.0.0.1:{port}/openai/v1"})
    assert result.status == "unreachable" and result.check.detail.startswith("cannot connect")
    assert result.check.attempts == 2


def test_slow_answer_within_the_timeout_is_read(fake: FakeProviders) -> None:
    item = key_for("openai")
    fake.answer("openai", dataclasses.replace(ANSWERS["openai"]["valid"], delay=0.3), key=item.key)
    result = check_one(fake, item)
    assert result.status == "valid" and result.check.latency_ms is not None and result.check.latency_ms >= 300


def test_dropped_connection_is_retried_then_unreachable(fake: FakeProviders) -> None:
    item = key_for("mistral")
    fake.answer("mistral", Reply(drop=True), key=item.key)
    result = check_one(fake, item)
    assert result.status == "unreachable" and "closed" in result.check.detail and result.check.attempts == 2


def test_transient_failure_then_success(fake: FakeProviders) -> None:
    item = key_for("anthropic")
    fake.answer("anthropic", ANSWERS["anthropic"]["valid"], key=item.key)
    fake.answer("anthropic", ANSWERS["anthropic"]["unreachable"], key=item.key, times=1)  # one 529
    result = check_one(fake, item)
    assert result.status == "valid" and result.check.attempts == 2


@pytest.mark.parametrize("answer", ["rate_limited", "no_credit", "invalid"])
def test_conclusive_answers_are_not_retried(fake: FakeProviders, answer: str) -> None:
    """429 insufficient_quota looks like a rate limit to an SDK; retrying it spends time for nothing."""
    item = key_for("openai")
    fake.answer("openai", ANSWERS["openai"][answer], key=item.key)
    result = check_one(fake, item)
    assert result.status == answer and len(fake.received()) == 1


@pytest.mark.parametrize("status", [200, 401])
def test_malformed_json_is_unknown(fake: FakeProviders, status: int) -> None:
    item = key_for("groq")
    fake.answer("groq", Reply(status, body='{"object": "list", "data": [', content_type="application/json"), key=item.key)
    result = check_one(fake, item)
    assert result.status == "unknown" and "not JSON" in result.check.detail


def test_unexpected_json_on_200_is_unknown(fake: FakeProviders) -> None:
    item = key_for("deepseek")
    fake.answer("deepseek", Reply(200, {"hello": "world"}), key=item.key)
    result = check_one(fake, item)
    assert result.status == "unknown" and "none of the fields" in result.check.detail


def test_html_error_page_from_a_proxy(fake: FakeProviders) -> None:
    page = "<html><head><title>403 Forbidden</title></head><body>Access denied by corporate proxy</body></html>"
    item = key_for("openai")
    fake.answer("openai", Reply(403, body=page, content_type="text/html; charset=utf-8"), key=item.key)
    result = check_one(fake, item)
    assert result.status == "unknown" and "HTML page" in result.check.detail and "Access denied" not in result.check.detail


def test_html_bad_gateway_is_retried_then_unreachable(fake: FakeProviders) -> None:
    item = key_for("openai")
    fake.answer("openai", Reply(502, body="<html><body>502 Bad Gateway</body></html>", content_type="text/html"), key=item.key)
    result = check_one(fake, item)
    assert result.status == "unreachable" and result.check.http_status == 502 and result.check.attempts == 2


def test_html_page_with_200_is_unknown_not_valid(fake: FakeProviders) -> None:
    """A captive portal answers 200 with a login page: that says nothing about the key."""
    item = key_for("groq")
    fake.answer("groq", Reply(200, body="<html><body>Sign in to the hotel Wi-Fi</body></html>", content_type="text/html"), key=item.key)
    assert check_one(fake, item).status == "unknown"


def test_error_in_a_200_body(fake: FakeProviders) -> None:
    item = key_for("openai")
    body = {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}
    fake.answer("openai", Reply(200, body), key=item.key)
    result = check_one(fake, item)
    assert result.status == "invalid" and result.check.detail == "HTTP 200 with an error in the body: Incorrect API key provided"


def test_error_in_a_200_body_without_a_known_code_is_unknown(fake: FakeProviders) -> None:
    item = key_for("groq")
    fake.answer("groq", Reply(200, {"error": "something odd"}), key=item.key)
    result = check_one(fake, item)
    assert result.status == "unknown" and "something odd" in result.check.detail


def test_huge_body_is_cut_and_unknown(fake: FakeProviders) -> None:
    item = key_for("groq")
    fake.answer("groq", Reply(200, body=b"[" + b"1," * 3_000_000, content_type="application/json"), key=item.key)
    assert check_one(fake, item).status == "unknown"


def test_redirect_to_another_host_is_not_followed() -> None:
    """The key must not travel with a redirect to another origin."""
    item = key_for("openai")
    with FakeProviders() as first, FakeProviders(advertise="localhost") as elsewhere:
        elsewhere.answer("openai", ANSWERS["openai"]["valid"])
        first.answer("openai", Reply(302, headers={"location": elsewhere.base_url("openai") + "/models"}), key=item.key)
        result = check_one(first, item)
    assert result.status == "unknown" and result.check.http_status == 302
    assert f"redirected to http://localhost:{elsewhere.port}; not followed" in result.check.detail
    assert elsewhere.received() == []
    assert len(first.received()) == 1


def test_redirect_to_another_port_is_not_followed(fake: FakeProviders) -> None:
    with FakeProviders() as other:
        item = key_for("groq")
        fake.answer("groq", Reply(307, headers={"location": other.base_url("groq") + "/models"}), key=item.key)
        assert check_one(fake, item).status == "unknown"
        assert other.received() == []


def test_redirect_on_the_same_origin_is_not_followed_either(fake: FakeProviders) -> None:
    """A key is never sent on a redirect (DESIGN.md, "Trust"), even to the same host."""
    item = key_for("groq")
    fake.answer("groq", Reply(301, headers={"location": "/groq/openai/v1/models/"}), key=item.key)
    fake.answer("groq", ANSWERS["groq"]["valid"], key=item.key, method="GET", path="/openai/v1/models/")
    result = check_one(fake, item)
    assert result.status == "unknown" and result.check.http_status == 301
    assert "not followed, a key is never sent on a redirect" in result.check.detail
    assert [r.path for r in fake.received()] == ["/openai/v1/models"]


class InFlight:
    def __init__(self, delay: float) -> None:
        self.delay, self.now, self.most = delay, 0, 0
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(self.delay)
        with self.lock:
            self.now -= 1
        return ANSWERS["groq"]["valid"]


def test_concurrency_is_bounded(fake: FakeProviders) -> None:
    counter = InFlight(0.1)
    fake.answer("groq", counter)
    items = [key_for("groq") for _ in range(12)]
    started = time.monotonic()
    results = check(fake, *items, settings=dataclasses.replace(FAST, concurrency=3))
    assert [r.status for r in results] == ["valid"] * 12
    assert counter.most == 3
    assert time.monotonic() - started >= 0.4  # 12 keys, 3 at a time, 0.1 s each


def test_results_keep_input_order_and_each_key_is_checked_once(fake: FakeProviders) -> None:
    first, second = key_for("groq"), key_for("openai")
    fake.answer("groq", ANSWERS["groq"]["valid"], key=first.key)
    results = check(fake, first, second, first)
    assert [r.provider for r in results] == ["groq", "openai"]
    assert len(fake.received()) == 2


def test_retry_backoff_grows_and_is_capped() -> None:
    from aicheck.validate.engine import BACKOFF_CAP, backoff

    settings = Settings(backoff=0.5)
    assert 0.375 <= backoff(1, settings) <= 0.5 and 0.75 <= backoff(2, settings) <= 1.0
    assert backoff(10, settings) <= BACKOFF_CAP


def test_surprise_inside_a_check_is_contained_and_scrubbed(fake: FakeProviders, monkeypatch: pytest.MonkeyPatch) -> None:
    from aicheck.validate import classify

    def explode(*args: object) -> None:
        raise RuntimeError(f"cannot read the answer for {args[4]}")

    monkeypatch.setattr(classify, "read_answer", explode)
    item, other = key_for("groq"), key_for("openai")
    results = check(fake, item, other)
    assert [r.status for r in results] == ["unknown", "unknown"]
    assert "RuntimeError" in results[0].check.detail and item.key not in results[0].check.detail
