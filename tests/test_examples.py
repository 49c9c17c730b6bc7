"""The example app, broken and fixed, built into real git repositories and checked end to end."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("examples_run", ROOT / "examples" / "run.py")
assert _spec and _spec.loader
examples = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(examples)


def aicheck(repo: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["AICHECK_STATE_DIR"] = str(tmp_path / "state")
    return subprocess.run([sys.executable, "-m", "aicheck", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    repo = tmp_path_factory.mktemp("broken") / "chat-app"
    return repo, examples.build("broken", repo)


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    repo = tmp_path_factory.mktemp("fixed") / "chat-app"
    return repo, examples.build("fixed", repo)


def test_broken_history_has_the_deleted_key_and_the_committed_env(broken, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo, keys = broken
    out = aicheck(repo, tmp_path, "scan", "--history", "-f", "json")
    assert out.returncode == 1
    found = {(f["file"], f["in_head"]) for f in json.loads(out.stdout)["findings"]}
    assert ("server/config.py", False) in found and (".env", True) in found
    assert all(key not in out.stdout for key in keys.values())


def test_broken_bundle_has_the_inlined_vite_key(broken, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo, keys = broken
    out = aicheck(repo, tmp_path, "scan", "dist", "-f", "json", "--show-secrets")
    [finding] = json.loads(out.stdout)["findings"]
    assert finding["file"].startswith("dist/assets/index-") and finding["secret"] == keys["GROQ_KEY"]


def test_broken_env_check_finds_the_classic_mistakes(broken, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo, _ = broken
    out = aicheck(repo, tmp_path, "env", "check", "-f", "json")
    assert out.returncode == 1, out.stderr
    ids = {f["id"] for f in json.loads(out.stdout)["findings"]}
    assert {"env.client-exposed-secret", "env.tracked-secret", "env.provider-mismatch",
            "env.vite-process-env", "env.vite-import-meta-secret"} <= ids


def test_fixed_app_is_clean(fixed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo, _ = fixed
    for args in (["scan", "--history"], ["scan"], ["env", "check"], ["code"]):
        out = aicheck(repo, tmp_path, *args)
        assert out.returncode == 0, (args, out.stdout, out.stderr)


def test_broken_code_calls_the_provider_from_the_browser(broken, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo, _ = broken
    out = aicheck(repo, tmp_path, "code", "-f", "json")
    assert out.returncode == 1, out.stderr
    found = {(f["rule"], f["file"]) for f in json.loads(out.stdout)["findings"]}
    assert found == {(rule, "src/ai.ts") for rule in ("llm-key-in-browser", "llm-no-timeout", "llm-no-retries", "llm-output-uncapped")}


def test_expected_outputs_are_committed() -> None:
    for state in ("broken", "fixed"):
        text = (ROOT / "examples" / "chat-app" / state / "EXPECTED.md").read_text()
        assert "aicheck scan --history" in text and "aicheck env check" in text


def test_report_fails_the_broken_app_and_passes_the_fixed_one(broken, fixed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = aicheck(broken[0], tmp_path, "report", "--offline", "--fail-under", "80", "-f", "json")
    good = aicheck(fixed[0], tmp_path, "report", "--offline", "--fail-under", "80", "-f", "json")
    assert bad.returncode == 1 and good.returncode == 0, (bad.stderr, good.stderr)
    assert json.loads(bad.stdout)["summary"]["score"] < 50 <= json.loads(good.stdout)["summary"]["score"]
