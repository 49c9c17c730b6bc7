"""``aicheck keys validate`` as a user runs it: a real process, real servers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.fakes.providers import ANSWERS, FakeProviders, Reply, Request, closed_port
from tests.keygen import KEYGEN

FORMATS = ["text", "json", "junit", "github", "markdown"]


def aicheck(*args: str, cwd: Path, env: dict[str, str], stdin: bytes | str | None = None) -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    out = subprocess.run(
        [sys.executable, "-m", "aicheck", "keys", "validate", *args],
        cwd=cwd, env=env, input=data, capture_output=True, timeout=60,
    )
    return subprocess.CompletedProcess(out.args, out.returncode, out.stdout.decode("utf-8", "replace"), out.stderr.decode("utf-8", "replace"))


def environment(fake: FakeProviders, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("AICHECK_")}
    return {**keep, **fake.env(), "NO_COLOR": "1", "COLUMNS": "200", **extra}


@dataclass
class Keys:
    valid: str
    invalid: str
    echoed: str
    no_credit: str
    unsupported: str

    def all(self) -> list[str]:
        return [self.valid, self.invalid, self.echoed, self.no_credit, self.unsupported]


def echo_key(request: Request) -> Reply:
    """A Gemini 400 that quotes the key back, as some do."""
    return Reply(400, {"error": {"code": 400, "message": f"API key not valid: {request.key}", "status": "INVALID_ARGUMENT",
                                 "details": [{"reason": "API_KEY_INVALID", "debug": request.key}]}})


@pytest.fixture
def keys(fake: FakeProviders) -> Keys:
    made = Keys(
        KEYGEN["openai-api-key"](), KEYGEN["groq-api-key"](), KEYGEN["google-api-key"](),
        KEYGEN["anthropic-api-key"](), KEYGEN["perplexity-api-key"](),
    )
    fake.answer("openai", ANSWERS["openai"]["valid"], key=made.valid)
    fake.answer("gemini", echo_key, key=made.echoed)
    fake.answer("anthropic", ANSWERS["anthropic"]["no_credit"], key=made.no_credit)
    return made


def assert_hidden(keys: list[str], *texts: str) -> None:
    for key in keys:
        for text in texts:
            assert key not in text
            assert key[-12:] not in text  # not even a long tail of it


# --verbose says more (sources, request URLs, attempts); every format runs with it, text without too.
@pytest.mark.parametrize(("fmt", "verbose"), [(fmt, True) for fmt in FORMATS] + [("text", False)])
def test_no_format_shows_a_key(fake: FakeProviders, keys: Keys, tmp_path: Path, fmt: str, verbose: bool) -> None:
    out = aicheck(*keys.all(), "-f", fmt, *(["-v"] if verbose else []), cwd=tmp_path, env=environment(fake))
    assert out.returncode == 1, out.stderr
    assert_hidden(keys.all(), out.stdout, out.stderr)
    assert "\x1b[" not in out.stdout and out.stderr == ""
    assert "groq" in out.stdout and "anthropic" in out.stdout  # the failing keys, whatever the format
    if fmt == "json":
        assert len(json.loads(out.stdout)["results"]) == 5
    if fmt == "junit":
        suite = ElementTree.fromstring(out.stdout).find("testsuite")
        assert suite is not None and suite.get("tests") == "5" and suite.get("failures") == "3" and suite.get("skipped") == "1"


def test_json_envelope(fake: FakeProviders, keys: Keys, tmp_path: Path) -> None:
    doc = json.loads(aicheck(*keys.all(), "-f", "json", cwd=tmp_path, env=environment(fake)).stdout)
    assert (doc["tool"], doc["command"], doc["schema"]) == ("aicheck", "keys validate", 1)
    by_key = {r["provider"]: r for r in doc["results"]}
    assert set(by_key) == {"openai", "groq", "gemini", "anthropic", "perplexity"}
    valid = by_key["openai"]
    assert {"key_redacted", "provider", "status", "http_status", "detail", "metadata", "latency_ms"} <= set(valid)
    assert valid["status"] == "valid" and valid["http_status"] == 200 and valid["metadata"]["organization"] == "acme-prod-x1y2z3"
    assert valid["key_redacted"] == f"sk-proj-…{keys.valid[-4:]}" and isinstance(valid["latency_ms"], int)
    assert by_key["gemini"]["status"] == "invalid" and by_key["anthropic"]["status"] == "no_credit"
    assert by_key["perplexity"]["status"] == "unsupported" and by_key["perplexity"]["http_status"] is None
    assert doc["summary"]["keys"] == 5 and doc["summary"]["by_status"]["valid"] == 1 and doc["summary"]["failed"] == 3


def test_text_tells_what_the_answer_says(fake: FakeProviders, tmp_path: Path) -> None:
    key = KEYGEN["openrouter-api-key"]()
    fake.answer("openrouter", ANSWERS["openrouter"]["valid"], key=key)
    out = aicheck(key, cwd=tmp_path, env=environment(fake))
    assert out.returncode == 0, out.stderr
    assert "credit left: 7.5 of 10" in out.stdout and "used: 2.5" in out.stdout
    assert "1 key checked" in out.stdout and "1 valid" in out.stdout


def test_chain_models_from_the_config(fake: FakeProviders, tmp_path: Path) -> None:
    (tmp_path / "aicheck.toml").write_text(
        '[[chain]]\nprovider = "groq"\nmodel = "llama-3.3-70b-versatile"\nkey_env = "GROQ_API_KEY"\n\n'
        '[[chain]]\nprovider = "groq"\nmodel = "gone-model"\nkey_env = "GROQ_API_KEY"\n'
    )
    key = KEYGEN["groq-api-key"]()
    fake.answer("groq", ANSWERS["groq"]["valid"], key=key)
    out = aicheck(key, "-f", "json", cwd=tmp_path, env=environment(fake))
    meta = json.loads(out.stdout)["results"][0]["metadata"]
    assert meta["chain_models"] == {"llama-3.3-70b-versatile": True, "gone-model": False}
    text = aicheck(key, cwd=tmp_path, env=environment(fake)).stdout
    assert "chain model gone-model: NOT available" in text and "requests: 14370/14400 left" in text


def test_exit_codes_and_quiet(fake: FakeProviders, keys: Keys, tmp_path: Path) -> None:
    env = environment(fake)
    assert aicheck(keys.invalid, "--exit-zero", cwd=tmp_path, env=env).returncode == 0
    quiet = aicheck(keys.valid, "-q", cwd=tmp_path, env=env)
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert aicheck(keys.valid, keys.unsupported, cwd=tmp_path, env=env).returncode == 0


def test_messy_stdin(fake: FakeProviders, keys: Keys, tmp_path: Path) -> None:
    pasted = (
        "\ufeff\n\n   \n# pasted from a chat\n"
        f'  "{keys.valid}"  \n'
        f"export GROQ_API_KEY='{keys.invalid}'\n"
        f"\u201c{keys.no_credit}\u201d\n"
        "sk-proj-caf\u00e9-not-a-key-at-all-12345\n"
    )
    out = aicheck("-", "-f", "json", cwd=tmp_path, env=environment(fake), stdin=pasted)
    assert out.returncode == 1, out.stderr
    results = json.loads(out.stdout)["results"]
    assert [(r["provider"], r["status"]) for r in results] == [
        ("openai", "valid"), ("groq", "invalid"), ("anthropic", "no_credit"), (None, "invalid"),
    ]
    assert results[1]["variable"] == "GROQ_API_KEY" and results[3]["source"] == "stdin line 8"
    assert "non-ASCII" in results[3]["detail"] and results[3]["url"] is None


def test_huge_stdin_is_refused_without_traceback(fake: FakeProviders, tmp_path: Path) -> None:
    out = aicheck("-", cwd=tmp_path, env=environment(fake), stdin=b"gsk_" + b"A" * 20_000_000)
    assert out.returncode == 2 and "more than 1 MB" in out.stderr and "Traceback" not in out.stderr
    assert fake.received() == []


@pytest.mark.parametrize("stdin", ["", "\n\n  \n"])
def test_empty_stdin(fake: FakeProviders, tmp_path: Path, stdin: str) -> None:
    out = aicheck("-", cwd=tmp_path, env=environment(fake), stdin=stdin)
    assert out.returncode == 2 and "no keys found in stdin" in out.stderr and "Traceback" not in out.stderr


def test_env_file_and_from_env(fake: FakeProviders, keys: Keys, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"export OPENAI_API_KEY={keys.valid}\nDEBUG=1\n")
    env = environment(fake, GROQ_API_KEY=keys.invalid)
    out = aicheck("--env-file", ".env", "--from-env", "-f", "json", cwd=tmp_path, env=env)
    results = json.loads(out.stdout)["results"]
    assert [(r["variable"], r["status"]) for r in results] == [("OPENAI_API_KEY", "valid"), ("GROQ_API_KEY", "invalid")]
    assert results[0]["source"] == ".env: OPENAI_API_KEY"


def test_no_keys_given_reads_the_apps_keys_as_smoke_and_report_do(fake: FakeProviders, keys: Keys, tmp_path: Path) -> None:
    """The environment first, then the .env files env check finds (.env.local over .env)."""
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={keys.invalid}\nANTHROPIC_API_KEY={keys.no_credit}\n")
    (tmp_path / ".env.local").write_text(f"OPENAI_API_KEY={keys.valid}\n")
    env = {k: v for k, v in environment(fake, ANTHROPIC_API_KEY=keys.no_credit).items() if k != "OPENAI_API_KEY"}
    results = json.loads(aicheck("-f", "json", cwd=tmp_path, env=env).stdout)["results"]
    sources = {r["variable"]: r["source"] for r in results}
    assert len(results) == 2 and results[0]["variable"] == "ANTHROPIC_API_KEY"  # .env's OPENAI_API_KEY is overridden
    assert sources == {"ANTHROPIC_API_KEY": "environment: ANTHROPIC_API_KEY", "OPENAI_API_KEY": ".env.local: OPENAI_API_KEY"}
    empty = tmp_path / "empty"
    empty.mkdir()
    out = aicheck(cwd=empty, env={k: v for k, v in env.items() if not k.endswith("_API_KEY")})
    assert out.returncode == 2 and "no keys found in the environment or a .env file here" in out.stderr


def test_nothing_written_to_disk_but_the_redacted_output(fake: FakeProviders, keys: Keys, tmp_path: Path) -> None:
    out = aicheck(*keys.all(), "-f", "json", "-o", "report.json", "-v", cwd=tmp_path, env=environment(fake))
    assert out.returncode == 1 and out.stdout == ""
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["keys"] == 5
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert_hidden(keys.all(), path.read_bytes().decode("utf-8", "replace"))


def test_usage_errors_never_echo_the_key(fake: FakeProviders, keys: Keys, tmp_path: Path) -> None:
    env = environment(fake)
    unknown = aicheck(keys.valid, "--provider", "nope", cwd=tmp_path, env=env)
    assert unknown.returncode == 2 and "unknown provider" in unknown.stderr
    bad_url = aicheck(keys.valid, cwd=tmp_path, env={**env, "AICHECK_OPENAI_BASE_URL": "ftp://example.com"})
    assert bad_url.returncode == 2 and "AICHECK_OPENAI_BASE_URL" in bad_url.stderr
    sarif = aicheck(keys.valid, "-f", "sarif", cwd=tmp_path, env=env)
    assert sarif.returncode == 2 and "'sarif' is not one of" in sarif.stderr
    for out in (unknown, bad_url, sarif):
        assert_hidden(keys.all(), out.stdout, out.stderr)
        assert "Traceback" not in out.stderr
    assert fake.received() == []


def test_unreachable_in_verbose_text(fake: FakeProviders, keys: Keys, tmp_path: Path) -> None:
    env = environment(fake, AICHECK_OPENAI_BASE_URL=f"http://127.0.0.1:{closed_port()}/v1")
    out = aicheck(keys.valid, "-v", "--retries", "1", "--timeout", "0.5", cwd=tmp_path, env=env)
    assert out.returncode == 1 and "unreachable" in out.stdout and "2 attempts" in out.stdout
    assert_hidden([keys.valid], out.stdout, out.stderr)


def test_help_lists_the_sources() -> None:
    out = subprocess.run([sys.executable, "-m", "aicheck", "keys", "validate", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for flag in ("--env-file", "--from-env", "--provider", "--concurrency", "--timeout"):
        assert flag in out.stdout
