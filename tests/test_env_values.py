"""Value checks: placeholders, provider key formats, [env] patterns, secrets under client prefixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.envkit import check, found, keys, write
from tests.keygen import KEYGEN, rand, supabase_jwt

PLACEHOLDERS = ["your-api-key-here", "changeme", "xxx", "sk-xxxx", "sk-xxxxxxxxxxxxxxxx", "<your-openai-key>", "YOUR_API_KEY", "TODO"]


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_placeholders_are_reported(tmp_path: Path, value: str) -> None:
    result = check(write(tmp_path, {".env": f"PORT=3000\nOPENAI_API_KEY={value}\n"}))
    (item,) = found(result, "env.placeholder")
    assert (item.line, item.key, item.severity) == (2, "OPENAI_API_KEY", "high")
    assert "OpenAI" in item.message


@pytest.mark.parametrize("line", [
    "OPENAI_API_KEY=" + KEYGEN["openai-api-key"](),
    "GROQ_API_KEY=" + KEYGEN["groq-api-key"](),
    "DATABASE_URL=postgres://app:Zq81kPx0aa@db.internal:5432/app",
    "SITE_URL=https://example.com",  # 'example' is a placeholder word only for secrets
    "NODE_ENV=test",
    "APP_NAME=todo-app",
    "OPENAI_API_KEY=",  # empty: drift's business, not a placeholder
    "OPENAI_API_KEY=${OPENAI_KEY_FROM_VAULT}",  # a reference
])
def test_real_values_and_references_are_not_placeholders(tmp_path: Path, line: str) -> None:
    assert found(check(write(tmp_path, {".env": line + "\n"})), "env.placeholder") == []


def test_another_providers_key_is_named(tmp_path: Path) -> None:
    anthropic = KEYGEN["anthropic-api-key"]()
    result = check(write(tmp_path, {".env": f"OPENAI_API_KEY={anthropic}\n"}))
    (item,) = found(result, "env.provider-mismatch")
    assert item.key == "OPENAI_API_KEY" and "Anthropic API key" in item.message and "not an OpenAI key" in item.message
    assert "ANTHROPIC_API_KEY" in item.fix
    assert anthropic not in item.message and anthropic[-4:] in item.message  # redacted
    assert found(result, "env.key-format") == []


def test_a_key_that_fits_its_provider_is_fine(tmp_path: Path) -> None:
    text = "".join(f"{name}={KEYGEN[rule]()}\n" for name, rule in [
        ("OPENAI_API_KEY", "openai-api-key"), ("ANTHROPIC_API_KEY", "anthropic-api-key"),
        ("GROQ_API_KEY", "groq-api-key"), ("MISTRAL_API_KEY", "mistral-api-key"),
        ("OPENROUTER_API_KEY", "openrouter-api-key"), ("HF_TOKEN", "huggingface-token"),
    ])
    result = check(write(tmp_path, {".env": text}))
    assert found(result, "env.provider-mismatch") == [] and found(result, "env.key-format") == []


def test_a_value_of_no_known_format_is_a_format_finding(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env": f"GROQ_API_KEY=gsk_{rand(20)}\n"}))
    (item,) = found(result, "env.key-format")
    assert item.severity == "medium" and "24 characters" in item.message and "gsk_" in item.message


def test_a_gateway_base_url_makes_another_format_expected(tmp_path: Path) -> None:
    text = f"OPENAI_API_KEY={KEYGEN['openrouter-api-key']()}\nOPENAI_BASE_URL=https://openrouter.ai/api/v1\n"
    result = check(write(tmp_path, {".env": text}))
    assert found(result, "env.provider-mismatch") == []


def test_configured_pattern_is_checked_and_replaces_the_provider_format(tmp_path: Path) -> None:
    config = '[env]\npatterns = { OPENAI_API_KEY = "^proxy-[a-z0-9]{12}$", "*_URL" = "^https://" }\n'
    bad = write(tmp_path / "bad", {".env": "OPENAI_API_KEY=proxy-ABC\nAPI_URL=http://x.example\n", "aicheck.toml": config})
    result = check(bad)
    assert keys(result, "env.pattern-mismatch") == ["OPENAI_API_KEY", "API_URL"]
    assert found(result, "env.key-format") == []
    good = write(tmp_path / "good", {".env": "OPENAI_API_KEY=proxy-abcdef012345\nAPI_URL=https://x.example\n", "aicheck.toml": config})
    assert found(check(good), "env.pattern-mismatch") == [] and found(check(good), "env.key-format") == []


@pytest.mark.parametrize("name", [
    "VITE_OPENAI_API_KEY", "NEXT_PUBLIC_OPENAI_API_KEY", "REACT_APP_OPENAI_API_KEY", "EXPO_PUBLIC_OPENAI_API_KEY",
    "NUXT_PUBLIC_OPENAI_API_KEY", "PUBLIC_OPENAI_API_KEY", "GATSBY_OPENAI_API_KEY", "VUE_APP_OPENAI_API_KEY",
])
def test_secrets_under_client_prefixes_are_critical(tmp_path: Path, name: str) -> None:
    key = KEYGEN["openai-api-key"]()
    result = check(write(tmp_path, {".env": f"{name}={key}\n"}))
    (item,) = found(result, "env.client-exposed-secret")
    assert item.severity == "critical" and item.key == name and "browser bundle" in item.message
    assert key not in item.message


def test_secret_names_under_client_prefixes_count_without_a_known_format(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env": "VITE_STRIPE_SECRET_KEY=Xk29fLq0s8dPq1mZ7vB3\nNEXT_PUBLIC_DB_PASSWORD=Pz8qL1mK0x9w\n"}))
    assert keys(result, "env.client-exposed-secret") == ["VITE_STRIPE_SECRET_KEY", "NEXT_PUBLIC_DB_PASSWORD"]


@pytest.mark.parametrize("line", [
    "VITE_API_URL=https://api.example.com",
    "NEXT_PUBLIC_SUPABASE_ANON_KEY=" + supabase_jwt("anon"),
    "VITE_FIREBASE_API_KEY=" + KEYGEN["google-api-key"](),  # Firebase web keys are public by design
    "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_live_" + rand(40),
    "PUBLIC_KEY=-----BEGIN PUBLIC KEY-----",
    "VITE_OPENAI_API_KEY=your-api-key-here",  # a placeholder, reported as such
    "OPENAI_API_KEY=" + KEYGEN["openai-api-key"](),  # no client prefix
])
def test_public_values_under_client_prefixes_are_fine(tmp_path: Path, line: str) -> None:
    assert found(check(write(tmp_path, {".env": line + "\n"})), "env.client-exposed-secret") == []


def test_a_secret_format_under_a_public_looking_name_is_still_reported(tmp_path: Path) -> None:
    text = f"NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY={KEYGEN['stripe-live-key']()}\n"
    assert keys(check(write(tmp_path, {".env": text})), "env.client-exposed-secret") == ["NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY"]
