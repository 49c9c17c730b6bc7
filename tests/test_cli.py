"""The command line as a user runs it: real processes, exit codes, formats, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.conftest import groq_key

FORMATS = ["text", "json", "sarif", "junit", "github", "markdown"]


def aicheck(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aicheck", *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def leaky(tmp_path: Path) -> tuple[Path, str]:
    key = groq_key()
    (tmp_path / "app.py").write_text(f'GROQ_API_KEY = "{key}"\n')
    return tmp_path, key


def test_version(tmp_path: Path) -> None:
    from aicheck import __version__

    for flag in ("--version", "-V"):
        out = aicheck(flag, cwd=tmp_path)
        assert out.returncode == 0 and out.stdout.strip() == f"aicheck {__version__}"


def test_clean_tree_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("print('hello')\n")
    out = aicheck("scan", ".", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "No exposed credentials" in out.stdout


def test_findings_exit_one_and_exit_zero_flag(leaky: tuple[Path, str]) -> None:
    path, key = leaky
    out = aicheck("scan", cwd=path)
    assert out.returncode == 1 and "app.py" in out.stdout and key not in out.stdout
    assert aicheck("scan", "--exit-zero", cwd=path).returncode == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_redacts_unless_show_secrets(leaky: tuple[Path, str], fmt: str) -> None:
    path, key = leaky
    redacted = aicheck("scan", "--format", fmt, cwd=path)
    assert redacted.returncode == 1 and key not in redacted.stdout + redacted.stderr
    assert "\x1b[" not in redacted.stdout
    shown = aicheck("scan", "--format", fmt, "--show-secrets", cwd=path)
    assert key in shown.stdout


def test_machine_formats_parse(leaky: tuple[Path, str]) -> None:
    path, _ = leaky
    doc = json.loads(aicheck("scan", "-f", "json", cwd=path).stdout)
    assert doc["tool"] == "aicheck" and doc["command"] == "scan" and doc["schema"] == 1
    assert doc["findings"][0]["file"] == "app.py" and doc["summary"]["findings"] == 1
    sarif = json.loads(aicheck("scan", "-f", "sarif", cwd=path).stdout)
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"][0]["ruleId"] == "groq-api-key"
    ElementTree.fromstring(aicheck("scan", "-f", "junit", cwd=path).stdout)
    assert aicheck("scan", "-f", "github", cwd=path).stdout.startswith("::error file=app.py,line=1")


def test_output_file(leaky: tuple[Path, str]) -> None:
    path, _ = leaky
    out = aicheck("scan", "-f", "json", "-o", "report.json", cwd=path)
    assert out.returncode == 1 and out.stdout == ""
    assert json.loads((path / "report.json").read_text())["summary"]["findings"] == 1


def test_stdin(tmp_path: Path) -> None:
    key = groq_key()
    out = aicheck("scan", "-", "-f", "json", cwd=tmp_path, stdin=f"export GROQ_API_KEY={key}\n")
    assert out.returncode == 1 and json.loads(out.stdout)["findings"][0]["file"] == "-"


def test_quiet_prints_nothing_when_clean(tmp_path: Path) -> None:
    out = aicheck("scan", "-q", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout == ""


def test_missing_path_exits_two_with_message(tmp_path: Path) -> None:
    out = aicheck("scan", "missing-folder", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.strip() == "aicheck: error: missing-folder: no such file or directory"
    assert "Traceback" not in out.stderr


def test_unknown_flag_and_format_exit_two(tmp_path: Path) -> None:
    assert aicheck("scan", "--bogus", cwd=tmp_path).returncode == 2
    assert aicheck("scan", "--format", "yaml", cwd=tmp_path).returncode == 2


def test_broken_config_names_file_and_key(leaky: tuple[Path, str]) -> None:
    path, _ = leaky
    (path / "aicheck.toml").write_text('[scan]\nexclude = "tests"\n')
    out = aicheck("scan", cwd=path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "aicheck.toml: invalid value for 'scan.exclude': expected a list of strings" in out.stderr
    (path / "aicheck.toml").write_text("[scan\nexclude = []\n")
    out = aicheck("scan", cwd=path)
    assert out.returncode == 2 and "aicheck.toml: invalid TOML" in out.stderr


def test_config_exclude_and_pyproject_section(leaky: tuple[Path, str]) -> None:
    path, _ = leaky
    (path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.aicheck.scan]\nexclude = ["app.py"]\n')
    assert aicheck("scan", cwd=path).returncode == 0
    (path / "aicheck.toml").write_text("[scan]\nexclude = []\n")  # aicheck.toml wins
    assert aicheck("scan", cwd=path).returncode == 1


def test_explicit_missing_config(tmp_path: Path) -> None:
    out = aicheck("scan", "--config", "nope.toml", cwd=tmp_path)
    assert out.returncode == 2 and "nope.toml: config file not found" in out.stderr


def test_custom_rule_and_disabled_rule(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"internal: acme_live_9f3kQ2abZZ9xy {groq_key()}\n")
    (tmp_path / "aicheck.toml").write_text(
        '[scan]\ndisable_rules = ["groq-api-key"]\n'
        '[[scan.rules]]\nid = "acme-token"\nregex = \'\'\'\\b(acme_live_[0-9a-zA-Z]{13})\\b\'\'\'\nkeywords = ["acme_live_"]\n'
    )
    doc = json.loads(aicheck("scan", "-f", "json", cwd=tmp_path).stdout)
    assert [f["rule"] for f in doc["findings"]] == ["acme-token"]


def test_unexpected_error_exits_three_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text("ok\n")
    code = "import sys, aicheck.scan.run as r\nr.run_scan = lambda *a, **k: 1/0\nfrom aicheck.cli import main\nmain(['scan'])\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 3 and "internal error: ZeroDivisionError" in out.stderr
    assert "Traceback" not in out.stderr


def test_keys_providers_lists_the_catalog(tmp_path: Path) -> None:
    doc = json.loads(aicheck("keys", "providers", "-f", "json", cwd=tmp_path).stdout)
    ids = {p["id"] for p in doc["results"]}
    assert {"openai", "anthropic", "groq", "openrouter", "gemini", "mistral", "cohere", "together", "fireworks",
            "deepseek", "xai", "perplexity", "huggingface", "replicate", "cerebras", "azure-openai"} <= ids
    text = aicheck("keys", "providers", cwd=tmp_path).stdout
    assert "OPENROUTER_API_KEY" in text


def test_every_command_has_help(tmp_path: Path) -> None:
    for command in (["scan"], ["keys"], ["keys", "providers"]):
        out = aicheck(*command, "--help", cwd=tmp_path)
        assert out.returncode == 0 and "Usage" in out.stdout and len(out.stdout) > 200
