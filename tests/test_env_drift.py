"""Drift against the example file, [env] required and the keys the [[chain]] needs."""

from __future__ import annotations

from pathlib import Path

from tests.envkit import check, found, keys, write
from tests.keygen import KEYGEN

EXAMPLE = "OPENAI_API_KEY=\nDATABASE_URL=postgres://user:pass@localhost/db\nSENTRY_DSN=  # optional\nDEBUG=false # Optional: verbose logs\n"


def test_missing_keys_point_at_the_example_line(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env.example": EXAMPLE, ".env": "OPENAI_API_KEY=x1\n"}))
    (item,) = found(result, "env.missing-key")
    assert (item.file, item.line, item.key, item.severity) == (".env.example", 2, "DATABASE_URL", "high")
    assert ".env" in item.message


def test_optional_keys_are_not_required(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env.example": EXAMPLE, ".env": "OPENAI_API_KEY=x1\nDATABASE_URL=postgres://db/app\n"}))
    assert found(result, "env.missing-key") == []


def test_extra_keys_are_low(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env.example": EXAMPLE, ".env": "OPENAI_API_KEY=x1\nDATABASE_URL=d\nUNDOCUMENTED=1\n"}))
    (item,) = found(result, "env.extra-key")
    assert (item.file, item.line, item.key, item.severity) == (".env", 3, "UNDOCUMENTED", "low")


def test_empty_required_values(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env.example": EXAMPLE, ".env": "OPENAI_API_KEY=\nDATABASE_URL=d\nSENTRY_DSN=\n"}))
    (item,) = found(result, "env.empty-required")
    assert (item.file, item.line, item.key) == (".env", 1, "OPENAI_API_KEY")
    assert "SENTRY_DSN" not in str(result.findings)  # optional may be empty


def test_layered_files_count_together_and_the_environment_counts(tmp_path: Path) -> None:
    root = write(tmp_path, {".env.example": EXAMPLE, ".env": "OPENAI_API_KEY=\n", ".env.local": "OPENAI_API_KEY=x1\n"})
    result = check(root, environ={"DATABASE_URL": "postgres://prod/app"})
    assert found(result, "env.missing-key") == [] and found(result, "env.empty-required") == []


def test_no_example_means_no_drift_and_a_note(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env": "A=1\n"}))
    assert found(result, "env.extra-key") == [] and any("example" in note for note in result.notes)


def test_named_example_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    import pytest

    from aicheck.errors import AicheckError

    with pytest.raises(AicheckError, match="example file not found"):
        check(write(tmp_path, {".env": "A=1\n"}), example=".env.missing")


def test_required_keys_from_config_point_at_the_config(tmp_path: Path) -> None:
    root = write(tmp_path, {".env": "A=1\nGROQ_API_KEY=\n", "aicheck.toml": '[env]\nrequired = ["GROQ_API_KEY", "REDIS_URL"]\n'})
    result = check(root)
    (missing,) = found(result, "env.missing-key")
    assert (missing.file, missing.line, missing.key) == ("aicheck.toml", 2, "REDIS_URL")
    assert keys(result, "env.empty-required") == ["GROQ_API_KEY"]
    assert found(check(root, environ={"REDIS_URL": "redis://cache", "GROQ_API_KEY": "g"}), "env.missing-key") == []


CHAIN = """
[[chain]]
provider = "groq"
model = "llama-3.3-70b-versatile"
key_env = "GROQ_API_KEY"

[[chain]]
provider = "openrouter"
model = "openai/gpt-4o-mini"

[[chain]]
provider = "anthropic"
model = "claude-3-5-haiku-latest"
key_env = "ANTHROPIC_API_KEY"
"""


def test_every_chain_key_must_be_set(tmp_path: Path) -> None:
    root = write(tmp_path, {".env": f"GROQ_API_KEY={KEYGEN['groq-api-key']()}\nANTHROPIC_API_KEY=\n", "aicheck.toml": CHAIN})
    result = check(root)
    by_key = {item.key: item for item in found(result, "env.chain-key-missing")}
    assert set(by_key) == {"OPENROUTER_API_KEY", "ANTHROPIC_API_KEY"}  # key_env defaults to the catalog's
    assert by_key["ANTHROPIC_API_KEY"].file == ".env" and by_key["ANTHROPIC_API_KEY"].line == 2
    assert by_key["OPENROUTER_API_KEY"].file == "aicheck.toml" and "openrouter" in by_key["OPENROUTER_API_KEY"].message


def test_chain_keys_from_the_environment_count(tmp_path: Path) -> None:
    root = write(tmp_path, {"aicheck.toml": CHAIN})
    env = {"GROQ_API_KEY": "g", "OPENROUTER_API_KEY": "o", "ANTHROPIC_API_KEY": "a"}
    assert check(root, environ=env).findings == []
    assert len(found(check(root, environ={"GROQ_API_KEY": "g"}), "env.chain-key-missing")) == 2
