"""smoke and report warn about chain models that are deprecated, retired, or missing from the
provider's live model list, with the replacement the model data suggests (issue 14)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from aicheck.catalog.models import chain_warnings, live_models
from aicheck.output import envelope
from tests.fakes.chat import FakeChat
from tests.fakes.fixtures import check, key_for
from tests.fakes.providers import ANSWERS, FakeProviders
from tests.test_smoke_cli import CONFIG, smoke


def test_smoke_warns_about_a_retired_chain_model(tmp_path: Path, chat: FakeChat) -> None:
    (tmp_path / "aicheck.toml").write_text(CONFIG)  # groq/llama-3.3-70b-versatile: gone from the model map
    out = smoke(tmp_path, chat, "--no-cache")
    assert out.returncode == 0, out.stderr
    assert "warning: groq/llama-3.3-70b-versatile was retired" in out.stdout
    assert "move to groq/openai/gpt-oss-120b" in out.stdout
    document = json.loads(smoke(tmp_path, chat, "--no-cache", "--format", "json").stdout)
    assert any("llama-3.3-70b-versatile was retired" in w for w in document["summary"]["warnings"])
    github = smoke(tmp_path, chat, "--no-cache", "--format", "github").stdout
    assert "::warning title=aicheck smoke%3A chain model::groq/llama-3.3-70b-versatile was retired" in github


def test_a_current_chain_gives_no_warning() -> None:
    assert chain_warnings([("groq", "openai/gpt-oss-20b"), ("anthropic", "claude-haiku-4-5")], today=dt.date(2026, 12, 6)) == []


def test_deprecated_model_warning_names_the_date_and_replacement() -> None:
    (warning,) = chain_warnings([("openai", "gpt-4o-mini")], today=dt.date(2026, 12, 6))
    assert warning == "openai/gpt-4o-mini is deprecated: it shuts down on 2027-01-14; move to openai/gpt-5.4-mini"


def test_report_warns_about_a_model_missing_from_the_live_list(fake: FakeProviders) -> None:
    item = key_for("groq")
    fake.answer("groq", ANSWERS["groq"]["valid"], key=item.key)  # lists llama-3.3-70b-versatile, llama-3.1-8b-instant
    chain = [{"provider": "groq", "model": "openai/gpt-oss-20b", "key_env": "GROQ_API_KEY"}]
    (result,) = check(fake, item, config={"chain": chain})
    document = envelope("keys validate", "results", [result.to_dict()], {})
    live = live_models(document)
    assert live == {"groq": {"openai/gpt-oss-20b": False}}
    (warning,) = chain_warnings([("groq", "openai/gpt-oss-20b")], live, today=dt.date(2026, 12, 6))
    assert warning.startswith("groq/openai/gpt-oss-20b is not in groq's live model list")
