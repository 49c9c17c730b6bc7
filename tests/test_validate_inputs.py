"""Where keys come from and where they may go: sources, provider detection, base URLs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from aicheck.catalog import load
from aicheck.config import Config
from aicheck.errors import AicheckError
from aicheck.validate import KeyInput, collect_keys
from aicheck.validate.detect import Detector
from aicheck.validate.endpoints import known_providers, target
from aicheck.validate.sources import STDIN_LIMIT, clean, from_text, parse_line
from tests.fakes.fixtures import check_one, key_for
from tests.fakes.providers import ANSWERS, FakeProviders
from tests.keygen import KEYGEN


def detector() -> Detector:
    return Detector(load().providers)


# --- detection ---------------------------------------------------------------------------------


# A rule found through its surroundings (a 32-hex key next to *.openai.azure.com) has no format
# of its own to tell a bare key by.
@pytest.mark.parametrize("rule", [r.id for r in load().rules if r.provider and not r.context and r.id != "azure-openai-key-near-endpoint"])
def test_prefixed_formats_name_their_provider(rule: str) -> None:
    key = KEYGEN[rule]()
    found = detector().detect(key)
    assert found.providers == (load().rule(rule).provider,) and found.by == "format"  # type: ignore[union-attr]


def test_format_wins_over_the_variable_name() -> None:
    """An Anthropic key pasted into OPENAI_API_KEY goes to Anthropic, never to OpenAI."""
    found = detector().detect(KEYGEN["anthropic-api-key"](), name="OPENAI_API_KEY")
    assert found.providers == ("anthropic",) and "OPENAI_API_KEY" in found.note


def test_variable_name_narrows_a_shape_without_prefix() -> None:
    key = KEYGEN["azure-openai-key"]()  # 32 hex: Mistral, Fireworks and Azure shapes all fit
    assert detector().detect(key, name="AZURE_OPENAI_API_KEY").providers == ("azure-openai",)
    assert detector().detect(key, name="MISTRAL_API_KEY").providers == ("mistral",)
    assert detector().detect(key, name="MY_MISTRAL_TOKEN").providers == ("mistral",)  # context word
    found = detector().detect(key)
    assert found.by == "ambiguous format" and set(found.providers) == {"mistral", "fireworks", "azure-openai"}
    assert "fits" in found.note


def test_deepseek_shape_alone_goes_to_deepseek() -> None:
    assert detector().detect(KEYGEN["deepseek-api-key"]()).providers == ("deepseek",)


def test_variable_name_without_a_fitting_format() -> None:
    found = detector().detect("not-a-real-key-but-long-enough", name="GROQ_API_KEY")
    assert found.providers == ("groq",) and "not in the provider's documented format" in found.note


def test_known_prefix_with_a_wrong_shape_goes_to_that_provider_only() -> None:
    found = detector().detect("sk-ant-api03-tooShort")
    assert found.providers == ("anthropic",) and found.by == "prefix"


def test_unknown_shape_goes_nowhere() -> None:
    found = detector().detect("hello-world")
    assert found.providers == () and "--provider" in found.note


def test_ambiguous_key_is_tried_only_where_it_fits_and_says_so(fake: FakeProviders) -> None:
    key = KEYGEN["mistral-api-key"]()
    fake.answer("fireworks", ANSWERS["fireworks"]["valid"], key=key)
    result = check_one(fake, KeyInput(key, source="argument 1"))
    assert result.provider == "fireworks" and result.status == "valid" and result.detected_by == "ambiguous format"
    assert "mistral: invalid" in result.check.detail and "fireworks: valid" in result.check.detail
    assert {r.provider for r in fake.received()} == {"mistral", "fireworks"}  # not azure: not 32 hex
    assert [c["provider"] for c in result.to_dict()["candidates"]] == ["mistral", "fireworks"]


def test_ambiguous_key_rejected_everywhere_is_unknown_with_the_candidates(fake: FakeProviders) -> None:
    # Issue 14: "invalid" would name no provider in particular; say which were asked instead.
    result = check_one(fake, KeyInput(KEYGEN["cohere-api-key"]()))  # 40 alnum: Cohere or Fireworks
    assert result.status == "unknown" and {c.provider for c in result.candidates} == {"cohere", "fireworks"}
    assert "cohere: invalid" in result.check.detail and "fireworks: invalid" in result.check.detail
    assert {r.provider for r in fake.received()} == {"cohere", "fireworks"}


def test_forced_provider(fake: FakeProviders) -> None:
    key = KEYGEN["groq-api-key"]()
    result = check_one(fake, KeyInput(key, provider="together"))
    assert result.provider == "together" and result.detected_by == "provider"
    assert {r.provider for r in fake.received()} == {"together"}


# --- what is never sent -------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "why"), [
    ("sk-proj-ab\u00e9cdefghijklmnopqrstu", "non-ASCII"),
    ("gsk_abc def" + "x" * 40, "spaces"),
    ("gsk_" + "a" * 2000, "too long"),
    ("gsk_abc\x1bdef" + "x" * 40, "control"),
])
def test_values_that_cannot_be_keys_are_never_sent(fake: FakeProviders, value: str, why: str) -> None:
    result = check_one(fake, KeyInput(value, name="GROQ_API_KEY"))
    assert result.status == "invalid" and why in result.check.detail and "not sent" in result.check.detail
    assert fake.received() == []


# --- base URLs ------------------------------------------------------------------------------------


def provider(provider_id: str, config: dict[str, dict[str, str]] | None = None):  # type: ignore[no-untyped-def]
    return known_providers(config or {})[provider_id]


def test_base_url_precedence() -> None:
    env_url, config_url = "http://127.0.0.1:9/env/v1", "https://gateway.example/v1"
    config = {"openai": {"base_url": config_url}}
    assert target(provider("openai"), {}, {}).base_url == "https://api.openai.com/v1"  # type: ignore[union-attr]
    assert target(provider("openai"), config, {}).base_url == config_url  # type: ignore[union-attr]
    both = target(provider("openai"), config, {"AICHECK_OPENAI_BASE_URL": env_url})
    assert both is not None and both.base_url == env_url and both.source == "AICHECK_OPENAI_BASE_URL"


def test_provider_id_with_a_dash_in_the_variable_name() -> None:
    found = target(provider("azure-openai"), {}, {"AICHECK_AZURE_OPENAI_BASE_URL": "https://r.openai.azure.com/"})
    assert found is not None and found.base_url == "https://r.openai.azure.com"


@pytest.mark.parametrize("url", ["ftp://example.com", "api.openai.com/v1", "http://", "http://host:port/v1"])
def test_bad_override_is_a_clear_error(url: str) -> None:
    with pytest.raises(AicheckError, match="AICHECK_OPENAI_BASE_URL"):
        target(provider("openai"), {}, {"AICHECK_OPENAI_BASE_URL": url})


def test_catalog_urls_are_https() -> None:
    from aicheck.validate.endpoints import checked

    assert all(p.base_url is None or p.base_url.startswith("https://") for p in load().providers)
    with pytest.raises(AicheckError, match="plain http only to this machine"):
        checked("http://api.example.com", "catalog")


def test_azure_needs_its_endpoint(fake: FakeProviders) -> None:
    item = key_for("azure-openai")
    without = {"AICHECK_AZURE_OPENAI_BASE_URL": ""}
    result = check_one(fake, item, env=without)
    assert result.status == "unsupported" and "AZURE_OPENAI_ENDPOINT" in result.check.detail
    fake.answer("azure-openai", ANSWERS["azure-openai"]["valid"], key=item.key)
    endpoint = {**without, "AZURE_OPENAI_ENDPOINT": fake.base_url("azure-openai")}
    assert check_one(fake, item, env=endpoint).status == "valid"
    request = fake.received()[0]
    assert request.query == "api-version=2024-10-21" and request.headers["api-key"] == item.key


def test_azure_api_version_from_config(fake: FakeProviders) -> None:
    item = key_for("azure-openai")
    check_one(fake, item, config={"providers": {"azure-openai": {"api_version": "2025-01-01"}}})
    assert fake.received()[0].query == "api-version=2025-01-01"


def test_custom_gateway_from_config(fake: FakeProviders) -> None:
    key = "gw-" + KEYGEN["generic-api-key"]()
    gateway = {"providers": {"mygateway": {"base_url": fake.base_url("mygateway") + "/v1", "key_env": "MYGATEWAY_API_KEY"}}}
    fake.answer("mygateway", ANSWERS["openai"]["valid"], key=key, method="GET", path="/v1/models")
    result = check_one(fake, KeyInput(key, name="MYGATEWAY_API_KEY"), config=gateway, env={"AICHECK_OPENAI_BASE_URL": ""})
    assert (result.provider, result.status, result.detected_by) == ("mygateway", "valid", "variable")


# --- sources ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "expected"), [
    ("gsk_abc", (None, "gsk_abc")),
    ("   gsk_abc \t", (None, "gsk_abc")),
    ('"gsk_abc"', (None, "gsk_abc")),
    ("'gsk_abc',", (None, "gsk_abc")),
    ("\u201cgsk_abc\u201d", (None, "gsk_abc")),
    ("Bearer gsk_abc", (None, "gsk_abc")),
    ("\ufeffgsk_abc", (None, "gsk_abc")),
    ("GROQ_API_KEY=gsk_abc", ("GROQ_API_KEY", "gsk_abc")),
    ("export GROQ_API_KEY='gsk_abc'  # prod", ("GROQ_API_KEY", "gsk_abc")),
    ('export  OPENAI_API_KEY = "sk-x"', ("OPENAI_API_KEY", "sk-x")),
    ("YWJjZGVm==", (None, "YWJjZGVm==")),  # base64 padding is not an assignment
    ("", None),
    ("   ", None),
    ("# a comment", None),
])
def test_pasted_lines(line: str, expected: tuple[str | None, str] | None) -> None:
    assert parse_line(line) == expected


def test_stdin_text_with_blank_lines_and_comments() -> None:
    keys = from_text("\n\n# keys\ngsk_one\n\n  export GROQ_API_KEY=gsk_two  \n\r\n")
    assert [(k.key, k.name, k.source) for k in keys] == [
        ("gsk_one", None, "stdin line 4"), ("gsk_two", "GROQ_API_KEY", "stdin line 6"),
    ]


def test_clean_keeps_inner_characters() -> None:
    assert clean('"ab\'c"') == "ab'c" and clean("''") == ""


def collect(args: list[str], stdin: bytes | None = None, **kwargs: object) -> list[KeyInput]:
    stream = io.BytesIO(stdin) if stdin is not None else None
    return collect_keys(args, stdin=stream, environ={}, **kwargs).keys  # type: ignore[arg-type]


@pytest.mark.parametrize("stdin", [b"", b"\n\n   \n", b"# only a comment\n"])
def test_empty_stdin_is_a_clear_error(stdin: bytes) -> None:
    with pytest.raises(AicheckError, match="no keys found in stdin"):
        collect(["-"], stdin)


def test_no_sources_is_a_clear_error() -> None:
    with pytest.raises(AicheckError, match="no keys given"):
        collect([])
    with pytest.raises(AicheckError, match="empty"):
        collect([""])


def test_stdin_over_the_limit_is_refused() -> None:
    with pytest.raises(AicheckError, match="more than 1 MB"):
        collect(["-"], b"gsk_" + b"a" * 52 + b"\n" * STDIN_LIMIT)


def test_stdin_that_is_not_utf8_is_read() -> None:
    keys = collect(["-"], b"gsk_abc\xff\xfe\n")
    assert keys[0].key.startswith("gsk_abc") and not keys[0].key.isascii()


def test_env_file_keys(tmp_path: Path) -> None:
    groq, anthropic, openrouter = KEYGEN["groq-api-key"](), KEYGEN["anthropic-api-key"](), KEYGEN["openrouter-api-key"]()
    env = tmp_path / ".env"
    env.write_text(
        f"# settings\nexport GROQ_API_KEY='{groq}'\nDEBUG=true\nDATABASE_URL=postgres://u:p@db/app\n"
        f"SOMETHING_ELSE=\"{anthropic}\"\nOPENAI_API_KEY=\nNOTE=caf\u00e9\n",
        encoding="utf-8",
    )
    other = tmp_path / "prod.env"
    other.write_text(f"OPENROUTER_API_KEY={openrouter}\nGROQ_API_KEY={groq}\n")
    found = collect_keys([], env_files=[env, other], environ={})
    assert [(k.key, k.name) for k in found.keys] == [
        (groq, "GROQ_API_KEY"), (anthropic, "SOMETHING_ELSE"), (openrouter, "OPENROUTER_API_KEY"),
    ]
    assert found.keys[0].source == f"{env}: GROQ_API_KEY"


def test_env_file_settings_are_limited_to_provider_endpoints(tmp_path: Path) -> None:
    """A checked-out .env may name the Azure endpoint, but not move a provider's base URL."""
    env = tmp_path / ".env"
    env.write_text(
        "AZURE_OPENAI_ENDPOINT=https://acme.openai.azure.com\nAICHECK_GROQ_BASE_URL=https://evil.example\n"
        f"GROQ_API_KEY={KEYGEN['groq-api-key']()}\n"
    )
    found = collect_keys([], env_files=[env], environ={})
    assert found.variables == {"AZURE_OPENAI_ENDPOINT": "https://acme.openai.azure.com"}


def test_env_file_errors(tmp_path: Path) -> None:
    with pytest.raises(AicheckError, match="not found"):
        collect_keys([], env_files=[tmp_path / "missing.env"], environ={})
    binary = tmp_path / "binary.env"
    binary.write_bytes(b"GROQ_API_KEY=\xff\xfe\n")
    with pytest.raises(AicheckError, match="not valid UTF-8"):
        collect_keys([], env_files=[binary], environ={})
    empty = tmp_path / "empty.env"
    empty.write_text("DEBUG=1\n")
    with pytest.raises(AicheckError, match="no keys found in"):
        collect_keys([], env_files=[empty], environ={})


def test_from_env_reads_provider_variables_and_key_formats() -> None:
    groq, xai = KEYGEN["groq-api-key"](), KEYGEN["xai-api-key"]()
    environ = {"GROQ_API_KEY": groq, "PATH": "/usr/bin", "HOME": "/root", "RANDOM_TOKEN": xai, "MISTRAL_API_KEY": " "}
    keys = collect_keys([], from_env=True, environ=environ).keys
    assert [(k.key, k.name) for k in keys] == [(groq, "GROQ_API_KEY"), (xai, "RANDOM_TOKEN")]


def test_chain_key_env_names_a_variable_of_its_provider(fake: FakeProviders) -> None:
    chain = {"chain": [{"provider": "groq", "model": "m", "key_env": "LLM_PRIMARY"}]}
    keys = collect_keys([], Config(None, chain), from_env=True, environ={"LLM_PRIMARY": "abc123"}).keys
    assert [k.name for k in keys] == ["LLM_PRIMARY"]
    result = check_one(fake, keys[0], config=chain)
    assert (result.provider, result.detected_by) == ("groq", "variable")


def test_unknown_forced_provider_is_a_usage_error() -> None:
    with pytest.raises(AicheckError, match="unknown provider"):
        collect_keys(["gsk_abc"], provider="nope", environ={})


def test_forced_provider_applies_to_every_key() -> None:
    keys = collect_keys(["a1", "b2"], provider="groq", environ={}).keys
    assert {k.provider for k in keys} == {"groq"}


# --- keys a scan found (scan --verify) ------------------------------------------------------------


def test_scan_finding_of_a_non_ai_rule_is_sent_nowhere(fake: FakeProviders) -> None:
    """A Twilio token is 32 hex, the shape of a Mistral or Azure key: it must not go there."""
    token = KEYGEN["twilio-auth-token"]()
    result = check_one(fake, KeyInput(token, rule="twilio-auth-token", source="app.py"))
    assert result.status == "unsupported" and "Twilio" in result.check.detail
    assert fake.received() == []


def test_scan_finding_goes_to_its_rules_provider(fake: FakeProviders) -> None:
    key = KEYGEN["deepseek-api-key"]()
    fake.answer("deepseek", ANSWERS["deepseek"]["valid"], key=key)
    result = check_one(fake, KeyInput(key, rule="deepseek-api-key"))
    assert (result.provider, result.status) == ("deepseek", "valid") and result.key_redacted.startswith("sk-…")
