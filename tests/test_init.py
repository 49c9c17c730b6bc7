"""``aicheck init`` on realistic repositories, and the CI files it and this repo ship."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from aicheck.config import load as load_config
from aicheck.init import run_init
from tests.conftest import git

ROOT = Path(__file__).resolve().parent.parent


def _vite_app(root: Path) -> None:
    (root / "src").mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"dependencies": {"groq-sdk": "^0.9"}, "devDependencies": {"vite": "^5"}}))
    (root / "vite.config.ts").write_text("export default {}\n")
    (root / ".env.example").write_text("GROQ_API_KEY=\nOPENROUTER_API_KEY=\n")
    (root / "src" / "ai.ts").write_text('fetch("https://openrouter.ai/api/v1/chat/completions")\n')


def _next_app(root: Path) -> None:
    (root / "app").mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"dependencies": {"next": "15", "react": "19", "openai": "4"}}))
    (root / "next.config.mjs").write_text("export default {}\n")
    (root / ".env.local").write_text("OPENAI_API_KEY=\nANTHROPIC_API_KEY=\n")
    (root / "app" / "route.ts").write_text("const key = process.env.OPENAI_API_KEY\n")


def _python_backend(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "svc"\ndependencies = ["anthropic", "groq"]\n')
    (root / "svc.py").write_text("import anthropic\nimport os\nclient = anthropic.Anthropic(api_key=os.environ['ANTHROPIC_API_KEY'])\n")


@pytest.mark.parametrize(
    ("make", "frameworks", "providers"),
    [
        (_vite_app, ["vite"], ["groq", "openrouter"]),
        (_next_app, ["next"], ["openai", "anthropic"]),
        (_python_backend, ["python"], ["anthropic", "groq"]),
    ],
)
def test_init_writes_a_valid_config_from_what_it_finds(repo: Path, make, frameworks, providers) -> None:  # type: ignore[no-untyped-def]
    make(repo)
    git(repo, "add", "-A")
    result = run_init(repo)
    assert result.discovery.frameworks[: len(frameworks)] == frameworks
    assert sorted(result.discovery.providers) == sorted(providers)
    config = load_config(repo)  # the schema accepts what init wrote
    assert [c["provider"] for c in config.data["chain"]] == result.discovery.providers
    assert len(config.data["smoke"]) == 2 and config.data["slo"]["availability"] == 0.999
    assert ".aicheck/" in (repo / ".gitignore").read_text().splitlines()
    if "openrouter" in providers:
        assert config.data["chain"][-1]["provider"] == "openrouter"  # gateways go last


def test_init_never_overwrites_without_force_and_is_idempotent(repo: Path) -> None:
    _vite_app(repo)
    (repo / ".gitignore").write_text("node_modules/")
    first = run_init(repo)
    assert first.written == ["aicheck.toml", ".gitignore"]
    (repo / "aicheck.toml").write_text("# mine\n")
    second = run_init(repo)
    assert second.written == [] and second.kept == ["aicheck.toml"]
    assert (repo / "aicheck.toml").read_text() == "# mine\n"
    assert (repo / ".gitignore").read_text() == "node_modules/\n.aicheck/\n"
    assert run_init(repo, force=True).written == ["aicheck.toml"]


def test_init_without_providers_starts_a_groq_openrouter_chain(tmp_path: Path) -> None:
    run_init(tmp_path)
    chain = load_config(tmp_path).data["chain"]
    assert [c["provider"] for c in chain] == ["groq", "openrouter"]


def test_init_writes_ci_files_on_request(tmp_path: Path) -> None:
    run_init(tmp_path, write_precommit=True, write_workflow=True)
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert [h["id"] for h in hooks["repos"][0]["hooks"]] == ["aicheck", "aicheck-env", "aicheck-code"]
    flow = yaml.safe_load((tmp_path / ".github" / "workflows" / "aicheck.yml").read_text())
    steps = flow["jobs"]["aicheck"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0 and "aicheck" in steps[1]["uses"]


def test_init_cli_prints_snippets(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "aicheck", "init", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "wrote aicheck.toml" in out.stdout and "# .pre-commit-config.yaml" in out.stdout
    again = subprocess.run([sys.executable, "-m", "aicheck", "init", str(tmp_path)], capture_output=True, text=True)
    assert "kept aicheck.toml (exists; --force overwrites it)" in again.stdout


def test_action_yml_is_a_composite_action_with_the_documented_inputs() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert {"name", "description", "inputs", "runs"} <= set(action)
    assert action["runs"]["using"] == "composite"
    assert {"version", "args", "fail-under", "sarif-file"} <= set(action["inputs"])
    for step in action["runs"]["steps"]:
        assert "uses" in step or ("run" in step and step["shell"] == "bash")
    script = "\n".join(step.get("run", "") for step in action["runs"]["steps"])
    assert "--format sarif" in script and "GITHUB_STEP_SUMMARY" in script and "--fail-under" in script


def test_pre_commit_hooks_manifest() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    assert by_id["aicheck"]["entry"] == "aicheck scan --staged"
    assert by_id["aicheck-env"]["entry"] == "aicheck env check"
    assert by_id["aicheck-code"]["entry"] == "aicheck code" and by_id["aicheck-code"]["pass_filenames"] is True
    for hook in hooks:
        assert hook["language"] == "python" and hook["pass_filenames"] is (hook["id"] == "aicheck-code")
