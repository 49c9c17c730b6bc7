"""``aicheck env check`` as users run it: exit codes, formats, redaction, bad input."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from aicheck.env.finding import CHECKS
from tests.envkit import aicheck, check, found, invoke, write
from tests.keygen import KEYGEN

FORMATS = ["text", "json", "sarif", "junit", "github", "markdown"]
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("DOTENV_PRIVATE_KEY")} | {"NO_COLOR": "1"}


def run(*args: str, cwd: Path) -> tuple[int, str, str]:
    out = invoke("env", "check", *args, cwd=cwd)
    assert "Traceback" not in out.stderr, out.stderr
    return out.returncode, out.stdout, out.stderr


def test_a_real_process_exits_1_on_findings_and_2_on_errors(leaky: tuple[Path, str]) -> None:
    path, key = leaky
    out = aicheck("env", "check", cwd=path, env=CLEAN_ENV)
    assert out.returncode == 1 and "env.client-exposed-secret" in out.stdout and key not in out.stdout
    out = aicheck("env", "check", "--file", "missing.env", cwd=path, env=CLEAN_ENV)
    assert out.returncode == 2 and out.stderr == "aicheck: error: missing.env: not found (--file names a .env file)\n"


@pytest.fixture
def leaky(tmp_path: Path) -> tuple[Path, str]:
    key = KEYGEN["groq-api-key"]()
    write(tmp_path, {".env": f"VITE_GROQ_API_KEY={key}\nOPENAI_API_KEY=changeme\n"})
    return tmp_path, key


def test_clean_project_exits_0(tmp_path: Path) -> None:
    write(tmp_path, {".env": "PORT=3000\n", ".env.example": "PORT=\n"})
    code, out, _ = run(cwd=tmp_path)
    assert code == 0 and "No problems found. Checked .env." in out
    assert run("--quiet", cwd=tmp_path)[1] == ""


def test_findings_exit_1_and_exit_zero(leaky: tuple[Path, str]) -> None:
    path, key = leaky
    code, out, _ = run(cwd=path)
    assert code == 1 and "env.client-exposed-secret" in out and "env.placeholder" in out and key not in out
    assert "fix:" in out
    assert run("--exit-zero", cwd=path)[0] == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_redacts_and_has_no_colour(leaky: tuple[Path, str], fmt: str) -> None:
    path, key = leaky
    code, out, _ = run("--format", fmt, cwd=path)
    assert code == 1 and key not in out and key[-4:] in out and "\x1b[" not in out


def test_json_envelope(leaky: tuple[Path, str]) -> None:
    doc = json.loads(run("-f", "json", cwd=leaky[0])[1])
    assert (doc["tool"], doc["command"], doc["schema"]) == ("aicheck", "env check", 1)
    item = next(f for f in doc["findings"] if f["id"] == "env.client-exposed-secret")
    assert {"id", "severity", "file", "line", "key", "message", "fix"} <= set(item)
    assert (item["file"], item["line"], item["key"], item["severity"]) == (".env", 1, "VITE_GROQ_API_KEY", "critical")
    assert doc["summary"]["findings"] == len(doc["findings"]) == 2


def test_sarif_rules_and_results(leaky: tuple[Path, str]) -> None:
    sarif = json.loads(run("-f", "sarif", cwd=leaky[0])[1])
    run_ = sarif["runs"][0]
    rules = {rule["id"]: rule for rule in run_["tool"]["driver"]["rules"]}
    assert set(rules) == {"env.client-exposed-secret", "env.placeholder"}
    assert rules["env.client-exposed-secret"]["properties"]["security-severity"] == "9.5"
    result = next(r for r in run_["results"] if r["ruleId"] == "env.client-exposed-secret")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == ".env" and location["region"]["startLine"] == 1


def test_junit_github_markdown(leaky: tuple[Path, str]) -> None:
    suite = ElementTree.fromstring(run("-f", "junit", cwd=leaky[0])[1]).find("testsuite")
    assert suite is not None and suite.get("failures") == "2"
    failing = {case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None}
    assert failing == {"env.client-exposed-secret", "env.placeholder"}
    github = run("-f", "github", cwd=leaky[0])[1].splitlines()
    assert github[0].startswith("::error file=.env,line=1,title=aicheck env.client-exposed-secret (critical)::")
    markdown = run("-f", "markdown", cwd=leaky[0])[1]
    assert markdown.startswith("## aicheck env check") and "| `.env` | 1 |" in markdown


def test_output_file(leaky: tuple[Path, str]) -> None:
    code, out, _ = run("-f", "json", "-o", "env.json", cwd=leaky[0])
    assert code == 1 and out == "" and json.loads((leaky[0] / "env.json").read_text())["summary"]["findings"] == 2


@pytest.mark.parametrize("content,expected", [
    (b"\x00\x01\x02binary\x00", "binary file"),
    (b"A=1\nB=caf\xe9\n", "not valid UTF-8 (byte 0xe9)"),
    ("A=1\n".encode("utf-16"), "UTF-16"),
])
def test_unreadable_env_files_are_findings_with_clear_messages(tmp_path: Path, content: bytes, expected: str) -> None:
    write(tmp_path, {".env": content, ".env.local": "A=1\n"})
    code, out, _ = run(cwd=tmp_path)
    assert code == 1 and expected in out and "env.unreadable" in out
    result = check(tmp_path)
    (item,) = found(result, "env.unreadable")
    assert item.file == ".env" and ".env.local" in result.files


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    (item,) = found(check(write(tmp_path, {".env": b"A=1\nB=2\nC=caf\xe9\n"})), "env.unreadable")
    assert item.line == 3


def test_ten_megabyte_env_is_refused_quickly(tmp_path: Path) -> None:
    write(tmp_path, {".env": "A=" + "x" * 10_000_000 + "\n"})
    started = time.monotonic()
    code, out, _ = run(cwd=tmp_path)
    assert code == 1 and "10.0 MB is larger than the 1.0 MB limit" in out
    assert time.monotonic() - started < 10


def test_max_file_size_is_configurable(tmp_path: Path) -> None:
    write(tmp_path, {".env": "A=" + "x" * 2000 + "\n", "aicheck.toml": '[env]\nmax_file_size = "1KB"\n'})
    assert found(check(tmp_path), "env.unreadable")[0].message.endswith("limit for a .env file ([env] max_file_size)")


@pytest.mark.parametrize("args,config,expected", [
    (("--file", "nope.env"), None, "nope.env: not found"),
    (("--example", ".env.sample"), None, "example file not found (--example)"),
    ((), '[env]\nexample = "docs/.env.example"\n', "example file not found ([env] example"),
    ((), '[env]\ndisable = ["env.no-such-check"]\n', "unknown check id 'env.no-such-check'"),
    ((), '[env]\nframework = "angular"\n', "'env.framework'"),
    ((), '[env]\nfiles = ".env"\n', "'env.files': expected a list of strings"),
])
def test_usage_and_config_errors_exit_2(tmp_path: Path, args: tuple[str, ...], config: str | None, expected: str) -> None:
    write(tmp_path, {".env": "A=1\n", **({"aicheck.toml": config} if config else {})})
    code, out, err = run(*args, cwd=tmp_path)
    assert code == 2 and expected in err and err.startswith("aicheck: error:"), err


def test_disable_and_allow_markers(tmp_path: Path) -> None:
    write(tmp_path, {".env": "A = 1\nB = 2 # aicheck:allow\nC = 3 # aicheck:allow env.duplicate-key\nc=4\n",
                     "aicheck.toml": '[env]\ndisable = ["env.lowercase-key"]\n'})
    result = check(tmp_path)
    assert [(f.check, f.line) for f in result.findings] == [("env.space-around-equals", 1), ("env.space-around-equals", 3)]
    assert result.allowed == 1 and "env.lowercase-key" not in result.checks


def test_configured_files_that_do_not_exist_are_fine(tmp_path: Path) -> None:
    write(tmp_path, {"aicheck.toml": '[env]\nfiles = [".env", ".env.production"]\n', ".env.production": "A=1\n"})
    result = check(tmp_path)
    assert result.files == [".env.production"] and result.findings == []


def test_discovery_skips_templates_and_companions(tmp_path: Path) -> None:
    names = [".env", ".env.local", ".env.production", ".env.example", ".env.keys", ".env.vault", ".env.gpg", ".env.swp", ".envrc", "env.txt"]
    write(tmp_path, {name: "A=1\n" for name in names})
    assert check(tmp_path).files == [".env", ".env.local", ".env.production"]


def test_help_lists_the_command(tmp_path: Path) -> None:
    out = invoke("env", "--help", cwd=tmp_path)
    assert out.returncode == 0 and "check" in out.stdout
    out = invoke("env", "check", "--help", cwd=tmp_path)
    assert out.returncode == 0 and "--production" in out.stdout and "--example" in out.stdout


def test_every_check_is_documented() -> None:
    docs = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [check_id for check_id in CHECKS if f"`{check_id}`" not in docs]
    assert missing == []
