"""Issue 14: provider facts that change verdicts, each against the fake answering as the real API.

Key shapes (Gemini auth keys, sk-None-, early sk-proj-, Docker organisation tokens), admin keys
checked where admin keys work, follow-up checks (OpenAI data residency, a Gemini-refused AIza key
asked of another Google API), and the answers that used to be misread.
"""

from __future__ import annotations

import json
import re

import pytest

from aicheck.catalog import chat, load
from aicheck.chain.styles import tokens
from aicheck.validate import KeyInput
from aicheck.validate.detect import Detector
from tests.fakes.fixtures import check_one, fake, provider_server  # noqa: F401 - fixtures
from tests.fakes.providers import (
    ANSWERS, ANTHROPIC_ORG, OPENAI_ADMIN_KEYS, FakeProviders, Reply, google_error, model_list, openai_wrong_region,
)
from tests.keygen import ALNUM, KEYGEN, URLSAFE, rand


def detected(key: str) -> tuple[str, ...]:
    return Detector(load().providers).detect(key).providers


# --- key shapes --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [
    "sk-None-" + rand(20) + "T3BlbkFJ" + rand(20),  # keys made with no project (2024)
    "sk-proj-" + rand(20) + "T3BlbkFJ" + rand(20),  # early project keys: 20 on each side
    "sk-proj-" + rand(74, URLSAFE) + "T3BlbkFJ" + rand(74, URLSAFE),
])
def test_openai_key_shapes_are_openai(key: str) -> None:
    assert detected(key) == ("openai",)


def test_gemini_auth_key_is_gemini() -> None:
    assert detected(KEYGEN["gemini-auth-key"]()) == ("gemini",)
    assert detected("AQ." + rand(20)) == ()  # too short to be one


def test_docker_organisation_token_has_32_characters() -> None:
    rule = load().rule("docker-hub-token")
    assert rule is not None
    pattern = re.compile(rule.regex)
    oat = "dckr_oat_" + rand(32, URLSAFE)
    assert (m := pattern.search(f"TOKEN={oat}\n")) and m.group(1) == oat
    assert pattern.search(f"TOKEN=dckr_oat_{rand(27, ALNUM)}\n") is None  # the old, wrong shape
    pat = "dckr_pat_" + rand(27, URLSAFE)
    assert (m := pattern.search(f"TOKEN={pat}\n")) and m.group(1) == pat


# --- answers that used to be misread -------------------------------------------------------------


def verdict(fake: FakeProviders, provider: str, answer: str, key: str | None = None) -> tuple[str, str]:
    item = KeyInput(key, source="test") if key else KeyInput(KEYGEN[load().provider(provider).rules[0].id](), source="test")  # type: ignore[union-attr]
    fake.answer(provider, ANSWERS[provider][answer], key=item.key)
    result = check_one(fake, item)
    assert item.key not in json.dumps(result.to_dict())
    return result.status, result.check.detail


def test_openai_key_missing_the_models_scope_is_restricted(fake: FakeProviders) -> None:
    status, detail = verdict(fake, "openai", "restricted:missing-scope")
    assert status == "restricted" and "Missing scopes: model.read" in detail


def test_anthropic_disabled_organisation_is_restricted(fake: FakeProviders) -> None:
    status, detail = verdict(fake, "anthropic", "restricted:org-disabled")
    assert status == "restricted" and "organization has been disabled" in detail


def test_fireworks_412_is_no_credit(fake: FakeProviders) -> None:
    status, _ = verdict(fake, "fireworks", "no_credit:412", key=KEYGEN["fireworks-api-key"]())
    assert status == "no_credit"


def test_openrouter_provisioning_key_is_restricted_and_says_why(fake: FakeProviders) -> None:
    status, detail = verdict(fake, "openrouter", "restricted:provisioning")
    assert status == "restricted" and "cannot run completions" in detail


# --- admin keys are checked where admin keys work ------------------------------------------------


def test_openai_admin_key_is_checked_on_the_admin_keys_list(fake: FakeProviders) -> None:
    key = "sk-admin-" + rand(58, URLSAFE) + "T3BlbkFJ" + rand(58, URLSAFE)
    fake.answer("openai", Reply(200, OPENAI_ADMIN_KEYS), key=key, method="GET", path="/v1/organization/admin_api_keys")
    result = check_one(fake, KeyInput(key, source="test"))
    assert result.status == "valid" and result.check.metadata["key_kind"] == "admin"
    (request,) = fake.received()
    assert request.path == "/v1/organization/admin_api_keys" and request.query == "limit=1"


def test_anthropic_admin_key_is_checked_on_its_organisation(fake: FakeProviders) -> None:
    key = KEYGEN["anthropic-admin-key"]()
    fake.answer("anthropic", Reply(200, ANTHROPIC_ORG), key=key, method="GET", path="/v1/organizations/me")
    result = check_one(fake, KeyInput(key, source="test"))
    assert result.status == "valid" and result.check.metadata["organization"] == "Acme Labs"
    assert result.check.metadata["key_kind"] == "admin"
    assert [r.path for r in fake.received()] == ["/v1/organizations/me"]
    assert fake.received()[0].headers["anthropic-version"] == "2023-06-01"


def test_anthropic_admin_key_unknown_to_anthropic_is_invalid(fake: FakeProviders) -> None:
    key = KEYGEN["anthropic-admin-key"]()
    fake.answer("anthropic", ANSWERS["anthropic"]["invalid"], method="GET", path="/v1/organizations/me")
    assert check_one(fake, KeyInput(key, source="test")).status == "invalid"


# --- OpenAI data residency: the region's host tells the truth ------------------------------------


def regions(fake: FakeProviders) -> dict[str, str]:
    return {"AICHECK_OPENAI_US_BASE_URL": fake.base_url("openai-us"), "AICHECK_OPENAI_EU_BASE_URL": fake.base_url("openai-eu")}


def test_data_residency_key_is_valid_at_its_regions_host(fake: FakeProviders) -> None:
    item = KeyInput(KEYGEN["openai-api-key"](), source="test")
    fake.answer("openai", openai_wrong_region("eu"), key=item.key)
    fake.answer("openai-eu", Reply(200, model_list("gpt-5.4-mini")), key=item.key, method="GET", path="/v1/models")
    result = check_one(fake, item, env=regions(fake))
    assert result.status == "valid" and "eu.api.openai.com" in result.check.detail
    assert [r.provider for r in fake.received()] == ["openai", "openai-eu"]  # the named region first, then no more
    assert result.check.metadata["checked_at"] == "eu.api.openai.com"


def test_data_residency_tries_the_other_region_when_told_so(fake: FakeProviders) -> None:
    item = KeyInput(KEYGEN["openai-api-key"](), source="test")
    fake.answer("openai", Reply(401, openai_wrong_region("xx").json), key=item.key)  # names no region we know
    fake.answer("openai-us", openai_wrong_region("eu"), key=item.key, method="GET", path="/v1/models")
    fake.answer("openai-eu", Reply(200, model_list("gpt-5.4-mini")), key=item.key, method="GET", path="/v1/models")
    result = check_one(fake, item, env=regions(fake))
    assert result.status == "valid" and [r.provider for r in fake.received()] == ["openai", "openai-us", "openai-eu"]


def test_follow_up_hosts_are_not_asked_when_the_base_url_is_overridden(fake: FakeProviders) -> None:
    # A gateway or a test server in AICHECK_OPENAI_BASE_URL: the real regional hosts are never asked.
    item = KeyInput(KEYGEN["openai-api-key"](), source="test")
    fake.answer("openai", openai_wrong_region("us"), key=item.key)
    result = check_one(fake, item)
    assert result.status == "invalid" and "data-residency check would tell more" in result.check.detail
    assert [r.provider for r in fake.received()] == ["openai"]


def test_follow_up_base_urls_are_official_hosts() -> None:
    from urllib.parse import urlsplit

    for provider in load().providers:
        official = {urlsplit(provider.base_url or "").hostname, *provider.hosts}
        for follow in provider.validation.then:
            for url in follow.base_urls.values():
                assert url.startswith("https://") and urlsplit(url).hostname in official, (provider.id, url)


# --- an AIza key Gemini refuses may still be a live Google key -----------------------------------


def google(fake: FakeProviders) -> dict[str, str]:
    return {"AICHECK_GEMINI_GOOGLE_BASE_URL": fake.base_url("google")}


LANGUAGES = "/language/translate/v2/languages"


def test_aiza_key_refused_by_gemini_but_live_for_google_is_restricted(fake: FakeProviders) -> None:
    item = KeyInput(KEYGEN["google-api-key"](), source="test")
    fake.answer("gemini", ANSWERS["gemini"]["invalid"], key=item.key)
    fake.answer("google", google_error(403, "Cloud Translation API has not been used in project 123 before or it is disabled.",
                                       "PERMISSION_DENIED", "SERVICE_DISABLED"), key=item.key, method="GET", path=LANGUAGES)
    result = check_one(fake, item, env=google(fake))
    assert result.status == "restricted" and "live Google Cloud API key" in result.check.detail
    (second,) = fake.received("google")
    assert second.headers["x-goog-api-key"] == item.key and item.key not in second.path + second.query


def test_aiza_key_unknown_to_google_is_invalid(fake: FakeProviders) -> None:
    item = KeyInput(KEYGEN["google-api-key"](), source="test")
    fake.answer("gemini", ANSWERS["gemini"]["invalid"], key=item.key)
    fake.answer("google", ANSWERS["gemini"]["invalid"], key=item.key, method="GET", path=LANGUAGES)
    result = check_one(fake, item, env=google(fake))
    assert result.status == "invalid" and "both refuse it" in result.check.detail


def test_gemini_auth_key_refused_is_invalid_without_a_second_request(fake: FakeProviders) -> None:
    item = KeyInput(KEYGEN["gemini-auth-key"](), source="test")
    result = check_one(fake, item, env=google(fake))
    assert result.status == "invalid" and [r.provider for r in fake.received()] == ["gemini"]


# --- ambiguous bare keys -------------------------------------------------------------------------


def test_bare_deepseek_shaped_key_goes_to_deepseek_only(fake: FakeProviders) -> None:
    key = KEYGEN["deepseek-api-key"]()
    fake.answer("deepseek", ANSWERS["deepseek"]["valid"], key=key)
    result = check_one(fake, KeyInput(key, source="argument 1"))
    assert result.provider == "deepseek" and result.status == "valid"
    assert {r.provider for r in fake.received()} == {"deepseek"}


# --- Gemini thinking tokens are output tokens ----------------------------------------------------


def test_gemini_thinking_tokens_count_as_output() -> None:
    gemini = load().provider("gemini")
    assert gemini is not None
    answer = {"usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "thoughtsTokenCount": 120}}
    used = tokens(chat(gemini), answer)
    assert (used.input, used.output) == (10, 125)
