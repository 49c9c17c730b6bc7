"""Inputs a new user runs into (issue 11, item 8): each a clear one-line error with exit 2, or
accepted when it can be, never a traceback, never a write outside the repository."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import groq_key


def run(cwd: Path, *args: str, stdout: int | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AICHECK_")}
    return subprocess.run([sys.executable, "-m", "aicheck", *args], cwd=cwd, env={**keep, "NO_COLOR": "1", **env},
                          capture_output=stdout is None, stdout=stdout, stderr=subprocess.PIPE if stdout is not None else None,
                          text=True, timeout=60)


def one_line_error(out: subprocess.CompletedProcess[str], *words: str) -> None:
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr, out.stderr
    for word in words:
        assert word in out.stderr, out.stderr


@pytest.mark.parametrize(("config", "words"), [
    ("[budget]\nper_run_usd = nan\n", ("nan", "finite")),
    ("[budget]\nper_day_usd = inf\n", ("inf",)),
    ("[slo]\navailability = -inf\n", ("-inf",)),
    ("[resilience]\nrequests_per_minute = 0\n", ("resilience.requests_per_minute", "at least")),
    ("[resilience]\nrequests_per_minute = 1e-9\n", ("resilience.requests_per_minute",)),
    ('[providers.groq]\nrequests_per_minute = -3\n', ("providers.groq.requests_per_minute",)),
    ('[[chain]]\nprovider = "groq"\nmodel = "m"\ntimeout = 0\n', ("chain[0].timeout", "above 0")),
    ('[scan]\nmax_file_size = "0MB"\n', ("scan.max_file_size", "above 0")),
    ('[env]\nmax_file_size = 0\n', ("env.max_file_size",)),
    ('[[scan.rules]]\nid = "acme"\nregex = "acme_[0-9a-z]{32}"\nkeywords = ["acme_"]\n', ("scan.rules[0].regex", "capture group 1")),
])
def test_values_that_cannot_work_are_config_errors(tmp_path: Path, config: str, words: tuple[str, ...]) -> None:
    from aicheck import config as config_mod
    from aicheck.errors import ConfigError

    (tmp_path / "aicheck.toml").write_text(config)
    with pytest.raises(ConfigError) as error:
        config_mod.load(tmp_path)
    assert "aicheck.toml" in str(error.value) and all(word in str(error.value) for word in words), error.value


def test_a_config_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "aicheck.toml").write_text("[budget]\nper_run_usd = nan\n")
    one_line_error(run(tmp_path, "scan", "."), "aicheck.toml", "nan")


def test_a_config_with_a_utf8_bom_is_read(tmp_path: Path) -> None:
    (tmp_path / "aicheck.toml").write_bytes(b"\xef\xbb\xbf" + b'[scan]\nexclude = ["vendor/**"]\n')
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "k.py").write_text(f'K = "{groq_key()}"\n')
    assert run(tmp_path, "scan", ".").returncode == 0


def test_a_custom_rule_with_its_group_works(tmp_path: Path) -> None:
    (tmp_path / "aicheck.toml").write_text('[[scan.rules]]\nid = "acme"\nregex = "(acme_[0-9a-z]{32})"\nkeywords = ["acme_"]\n')
    from tests.keygen import LOWER_ALNUM, rand

    (tmp_path / "a.py").write_text(f'T = "acme_{rand(32, LOWER_ALNUM)}"\n')
    assert run(tmp_path, "scan", ".").returncode == 1


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_stdout_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(f'K = "{groq_key()}"\n')
    with open("/dev/full", "w") as full:
        out = run(tmp_path, "scan", ".", "--format", "json", stdout=full.fileno())
    one_line_error(out, "cannot write the output")


def test_a_closed_stdout_is_an_error_not_a_crash(tmp_path: Path) -> None:
    """``aicheck scan >&-``: Python starts with no stdout at all."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AICHECK_")}
    for args in ("scan .", "--version"):
        out = subprocess.run(["sh", "-c", f'exec "{sys.executable}" -m aicheck {args} >&-'], cwd=tmp_path, env=keep,
                             stderr=subprocess.PIPE, text=True, timeout=60)
        one_line_error(out, "cannot write the output to stdout")


def test_a_deeply_nested_baseline_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "base.json").write_text("[" * 100_000 + "]" * 100_000)
    one_line_error(run(tmp_path, "scan", ".", "--baseline", "base.json"), "base.json", "baseline")


def test_a_baseline_holds_no_plain_hash_of_the_secret(repo: Path) -> None:
    import hashlib

    key = groq_key()
    (repo / "a.py").write_text(f'K = "{key}"\n')
    assert run(repo, "scan", ".", "--write-baseline", "base.json", "--exit-zero").returncode == 0
    text = (repo / "base.json").read_text()
    document = json.loads(text)
    assert document["aicheck_baseline"] == 2 and len(bytes.fromhex(document["salt"])) == 16
    plain = hashlib.sha256(key.encode()).hexdigest()
    assert plain[:16] not in text and key not in text
    assert run(repo, "scan", ".", "--baseline", "base.json").returncode == 0  # and it still hides the finding


def test_a_format_1_baseline_is_still_read(repo: Path) -> None:
    from aicheck.scan.finding import fingerprint

    key = groq_key()
    (repo / "a.py").write_text(f'K = "{key}"\n')
    found = json.loads(run(repo, "scan", ".", "--format", "json").stdout)["findings"][0]
    old = {"aicheck_baseline": 1, "findings": [{"file": "a.py", "fingerprint": fingerprint(found["rule"], key, "a.py"), "rule": found["rule"]}]}
    (repo / "old.json").write_text(json.dumps(old))
    assert run(repo, "scan", ".", "--baseline", "old.json").returncode == 0


SMOKE_CONFIG = '[[chain]]\nprovider = "groq"\nmodel = "llama-3.3-70b-versatile"\n[[smoke]]\nname = "p"\nprompt = "pong"\nexpect = { icontains = "pong" }\n'


def test_a_committed_aicheck_symlink_is_not_written_through(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "victim"
    outside.mkdir()
    (repo / ".aicheck").symlink_to(outside)
    (repo / "aicheck.toml").write_text(SMOKE_CONFIG)
    out = run(repo, "smoke", GROQ_API_KEY=groq_key(), AICHECK_GROQ_BASE_URL="http://127.0.0.1:9/openai/v1")
    one_line_error(out, ".aicheck", "symlink")
    assert list(outside.iterdir()) == []


def test_a_state_file_of_another_schema_is_set_aside(tmp_path: Path) -> None:
    from aicheck.state import State

    folder = tmp_path / ".aicheck"
    folder.mkdir()
    with sqlite3.connect(folder / "state.db") as db:
        db.execute("CREATE TABLE cache (id INTEGER, blob BLOB)")
    with State.open(tmp_path) as state:
        state.record_spend("groq", "m", 0.5, at=1.0)
        assert state.cache_size() == 0
    assert list(folder.glob("state.db.unusable-*"))


def test_a_state_file_that_is_not_sqlite_is_set_aside(tmp_path: Path) -> None:
    from aicheck.state import State

    (tmp_path / ".aicheck").mkdir()
    (tmp_path / ".aicheck" / "state.db").write_bytes(b"not a database at all" * 100)
    with State.open(tmp_path) as state:
        assert state.runs() == []


def test_one_bad_history_row_does_not_break_later_reports(tmp_path: Path) -> None:
    from aicheck.state import State

    with State.open(tmp_path) as state:
        good = state.start_run("smoke", 1.0)
        state.finish_run(good, finished_at=2.0, duration_s=1.0, failed=False, summary={"prompts": 1}, results=[])
        bad = state.start_run("smoke", 3.0)
        state.finish_run(bad, finished_at=4.0, duration_s=1.0, failed=False, summary={}, results=[])
        state._run("UPDATE runs SET summary = '{broken' WHERE id = ?", (bad,))
        assert [run["id"] for run in state.runs()] == [good]
    out = run(tmp_path, "report", "--offline")
    assert out.returncode in (0, 1) and "Traceback" not in out.stderr


def test_init_on_an_unwritable_folder_is_an_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root writes anywhere: a folder where the file should be fails the same way
        (tmp_path / "aicheck.toml").mkdir()
        one_line_error(run(tmp_path, "init", "--force"), "cannot write")
        return
    tmp_path.chmod(0o500)
    try:
        one_line_error(run(tmp_path, "init"), "cannot write")
    finally:
        tmp_path.chmod(0o700)


def test_deep_json_in_report_from_and_trust_records_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    one_line_error(run(tmp_path, "report", "--from", "deep.json"), "deep.json")
    records = tmp_path / "xdg" / "aicheck"
    records.mkdir(parents=True)
    (records / "trusted.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "aicheck.toml").write_text("[scan]\n")
    one_line_error(run(tmp_path, "scan", ".", XDG_CONFIG_HOME=str(tmp_path / "xdg")), "trust records")


def test_init_does_not_follow_a_symlinked_gitignore(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "victim.txt"
    outside.write_text("precious\n")
    (repo / ".gitignore").symlink_to(outside)
    out = run(repo, "init")
    assert out.returncode == 0, out.stderr
    assert outside.read_text() == "precious\n"


def test_init_does_not_write_through_a_symlinked_config(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "victim.toml"
    outside.write_text("precious\n")
    (repo / "aicheck.toml").symlink_to(outside)
    out = run(repo, "init", "--force")
    one_line_error(out, "symlink")
    assert outside.read_text() == "precious\n"
