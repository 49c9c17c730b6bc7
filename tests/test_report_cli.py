"""``aicheck report`` running the checks itself: a fresh clone, the exit code, skips, live keys and smoke."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aicheck.report import ReportRequest, run_report
from tests.conftest import git
from tests.fakes.chat import FakeChat


from tests.fakes.providers import ANSWERS, FakeProviders
from tests.keygen import KEYGEN
from tests.report_kit import chat_env, environment, keys_env, make_project, run, script_chat

ROOT = Path(__file__).resolve().parent.parent


def test_a_fresh_clone_with_no_config_and_no_keys_reports_offline_and_exits_0(tmp_path: Path) -> None:
    """The first run anyone does: nothing configured, no key anywhere, no network."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    clone = tmp_path / "aicheck"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True, capture_output=True)
    env = environment(AICHECK_STATE_DIR=str(tmp_path / "state"))
    # -I: the aicheck under test, not the clone's copy of it (the same code in CI, not always here)
    out = subprocess.run([sys.executable, "-I", "-m", "aicheck", "report", "--fail-under", "80"], cwd=clone, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    flat = re.sub(r"[\s│]+", " ", out.stdout)  # the panel wraps long lines
    assert "Checked: scan, env check, code." in flat
    assert "keys validate (no provider keys in the environment)" in flat
    assert "smoke (no [[chain]] in pyproject.toml)" in flat
    assert re.search(r"Passed: score \d+ ≥ --fail-under 80\.", out.stdout)
    offline = subprocess.run([sys.executable, "-I", "-m", "aicheck", "report", "--offline", "--format", "json"], cwd=clone, env=env,
                             capture_output=True, text=True, timeout=120)
    parts = json.loads(offline.stdout)["summary"]["parts"]
    assert offline.returncode == 0 and parts["keys"]["reason"] == "--offline"
    assert parts["smoke"]["reason"] == "--offline"
    assert (tmp_path / "state" / "state.db").is_file() and not (clone / ".aicheck").exists()


def test_fail_under_sets_the_exit_code(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app", smoke_prompts=False)
    (project.root / ".env").write_text(f"VITE_GROQ_API_KEY={KEYGEN['groq-api-key']()}\n")  # a secret the bundle would publish
    state = tmp_path / "state"
    text = run("--offline", cwd=project.root, state=state)
    assert text.returncode == 0 and "Secret in a client-exposed variable" in text.stdout
    failing = run("--offline", "--fail-under", "90", cwd=project.root, state=state)
    assert failing.returncode == 1 and "FAILED: score" in failing.stdout
    assert run("--offline", "--fail-under", "90", "--exit-zero", cwd=project.root, state=state).returncode == 0
    quiet = run("--offline", "--fail-under", "10", "--quiet", cwd=project.root, state=state)
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert run("--offline", "--fail-under", "101", cwd=project.root, state=state).returncode == 2


def test_skip_and_offline_say_why(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app", smoke_prompts=False)
    out = run("--offline", "--skip", "scan", "--skip", "env", "--format", "json", cwd=project.root, state=tmp_path)
    parts = json.loads(out.stdout)["summary"]["parts"]
    assert {name: part["reason"] for name, part in parts.items()} == {
        "scan": "--skip scan", "env": "--skip env", "keys": "--offline", "smoke": "--offline", "code": None,
    }
    bad = run("--skip", "lint", cwd=project.root, state=tmp_path)
    assert bad.returncode == 2 and "lint" in bad.stderr


def test_smoke_runs_through_the_configured_chain(chat: FakeChat, tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    script_chat(chat)
    environ = chat_env(chat, project, tmp_path / "state")
    report = run_report(ReportRequest(root=project.root, skip=["keys"], environ=environ))
    smoke = report.part("smoke")
    assert smoke.ran and smoke.summary["prompts"] == 8 and smoke.summary["fallbacks"] == 1
    assert [item.provider for item in report.latency] == ["groq", "openrouter"]
    assert sorted(report.latency[0].samples)[-1] >= 300 and len(report.latency[1].samples) == 1
    assert {slo.name: slo.met for slo in report.slos} == {
        "availability": True, "p95_latency_ms": False, "error_rate": True, "cost_per_request_usd": True,
    }
    assert report.budget is not None and report.budget.source == "smoke" and report.budget.spent_run_usd
    assert report.fallback.status == "not proven"
    assert {(h.provider, h.key, h.kind) for h in report.headroom} >= {("groq", "chain", "requests"), ("openrouter", "chain", "tokens")}
    assert len(chat.requests("groq")) == 9 and len(chat.requests("openrouter")) == 1


def test_the_apps_keys_are_checked_and_a_working_exposed_one_is_live(fake: FakeProviders, tmp_path: Path) -> None:
    """The keys come from the .env the app loads; the same OpenAI key hard-coded in src/ works,
    so the scan finding is LIVE. A key only in a repository file is never sent anywhere."""
    project = make_project(tmp_path / "app", expose=True)
    only_in_repo = KEYGEN["groq-api-key"]()
    (project.root / "src" / "old.ts").write_text(f'const groq = "{only_in_repo}";\n')
    git(project.root, "add", "src/old.ts")
    fake.answer("openai", ANSWERS["openai"]["valid"], key=project.keys["OPENAI_API_KEY"])
    fake.answer("groq", ANSWERS["groq"]["valid"], key=project.keys["GROQ_API_KEY"])
    fake.answer("openrouter", ANSWERS["openrouter"]["valid"], key=project.keys["OPENROUTER_API_KEY"])
    report = run_report(ReportRequest(root=project.root, skip=["smoke"], environ=keys_env(fake, tmp_path / "state")))
    assert [item["status"] for item in report.part("keys").items] == ["valid", "valid", "valid"]
    live = [item for item in report.part("scan").items if (item.get("verification") or {}).get("status") == "valid"]
    assert [(item["file"], item["severity"]) for item in live] == [("src/config.ts", "critical")]
    assert report.score.value == 20 and report.score.deductions[0].reason == "a live OpenAI key in src/config.ts:1"
    assert only_in_repo not in fake.keys_seen() and fake.keys_seen() == set(project.keys.values())


def test_keys_from_the_environment_too(fake: FakeProviders, tmp_path: Path) -> None:
    project = make_project(tmp_path / "app", smoke_prompts=False)
    (project.root / ".env").unlink()
    key = KEYGEN["groq-api-key"]()
    fake.answer("groq", ANSWERS["groq"]["invalid"], key=key)
    environ = {**keys_env(fake, tmp_path / "state"), "GROQ_API_KEY": key}
    report = run_report(ReportRequest(root=project.root, skip=["smoke", "scan", "env"], environ=environ))
    (item,) = report.part("keys").items
    assert item["status"] == "invalid" and item["variable"] == "GROQ_API_KEY"
    assert report.score.deductions[0].command == "aicheck keys validate --from-env"


def test_every_format_from_the_command_line(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app", smoke_prompts=False)
    for fmt, marker in (("text", "aicheck report"), ("json", '"command": "report"'), ("markdown", "## "), ("html", "<!DOCTYPE html>")):
        target = tmp_path / f"report.{fmt}"
        out = run("--offline", "--format", fmt, "--output", str(target), cwd=project.root, state=tmp_path / "state")
        assert out.returncode == 0 and out.stdout == "", out.stderr
        assert marker in target.read_text()
    assert run("--offline", "--format", "sarif", cwd=project.root, state=tmp_path).returncode == 2
