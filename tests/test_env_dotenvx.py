"""dotenvx: files encrypted by the real CLI are decrypted exactly, keys are found where dotenvx
looks for them, and wrong or missing keys are findings, never tracebacks."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values

from aicheck.env import dotenvx, load_values
from tests.conftest import git
from tests.envkit import aicheck, check, found, keys, write

VECTORS = Path(__file__).parent / "fixtures" / "dotenvx"
FILES = (".env", ".env.production", ".env.ci.local")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The committed vectors, copied: encrypted files, .env.keys, and the plaintext originals."""
    root = tmp_path / "project"
    shutil.copytree(VECTORS, root)
    return root


def _expected(root: Path, name: str) -> dict[str, str | None]:
    return dict(dotenv_values(root / "plain" / name))


@pytest.mark.parametrize("name", FILES)
def test_committed_vectors_decrypt_to_the_originals(project: Path, name: str) -> None:
    values = load_values(project / name, environ={})
    assert values == _expected(project, name)
    assert values  # a vacuous comparison proves nothing


def test_private_key_from_the_environment(project: Path) -> None:
    private = dotenv_values(project / ".env.keys")["DOTENV_PRIVATE_KEY_PRODUCTION"]
    (project / ".env.keys").unlink()
    assert load_values(project / ".env.production", environ={"DOTENV_PRIVATE_KEY_PRODUCTION": str(private)}) == _expected(project, ".env.production")
    assert load_values(project / ".env.production", environ={}) == {}  # values without a key are left out


def test_comma_separated_private_keys(project: Path) -> None:
    ring = dotenv_values(project / ".env.keys")
    (project / ".env.keys").unlink()
    both = f"{'ab' * 32},{ring['DOTENV_PRIVATE_KEY']}"
    assert load_values(project / ".env", environ={"DOTENV_PRIVATE_KEY": both}) == _expected(project, ".env")


def test_public_key_matches_the_header() -> None:
    ring = dotenv_values(VECTORS / ".env.keys")
    header = dotenv_values(VECTORS / ".env")["DOTENV_PUBLIC_KEY"]
    assert dotenvx.public_key(str(ring["DOTENV_PRIVATE_KEY"])) == header


def test_wrong_key_fails_authentication() -> None:
    value = str(dotenv_values(VECTORS / ".env")["OPENAI_API_KEY"])
    with pytest.raises(dotenvx.DecryptError, match="authentication"):
        dotenvx.decrypt(secrets.token_hex(32), value)
    with pytest.raises(dotenvx.DecryptError, match="base64"):
        dotenvx.decrypt(secrets.token_hex(32), "encrypted:not*base64")
    with pytest.raises(dotenvx.DecryptError, match="too short"):
        dotenvx.decrypt(secrets.token_hex(32), "encrypted:BAAA")


def test_encrypted_values_are_not_plaintext_secrets(project: Path) -> None:
    repo = project
    git(repo, "init", "-q", "-b", "main")
    (repo / ".env.keys").rename(repo.parent / "keys.backup")
    git(repo, "add", ".env", ".env.production")
    result = check(repo, files=[".env", ".env.production"])
    assert found(result, "env.tracked-secret") == [] and found(result, "env.not-ignored") == []
    assert result.encrypted == 14 and result.decrypted == 0
    assert any("stayed encrypted" in note for note in result.notes)


def test_decrypted_values_reach_the_other_checks(project: Path) -> None:
    result = check(project, files=[".env"])
    assert result.decrypted == result.encrypted == 11
    assert "OPENAI_API_KEY" in keys(result, "env.placeholder")  # sk-test-not-a-real-key-... inside the ciphertext
    assert not {"env.dotenvx-wrong-key", "env.dotenvx-malformed", "env.dotenvx-plaintext"} & {f.check for f in result.findings}
    (project / ".env.keys").unlink()
    assert "OPENAI_API_KEY" not in keys(check(project, files=[".env"]), "env.placeholder")


def test_committed_keys_file_is_critical(project: Path) -> None:
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".env.keys")
    assert keys(check(project), "env.keys-file-committed") == [None]


def test_wrong_private_key_is_a_finding(project: Path) -> None:
    (project / ".env.keys").unlink()
    result = check(project, files=[".env"], environ={"DOTENV_PRIVATE_KEY": secrets.token_hex(32)})
    (item,) = found(result, "env.dotenvx-wrong-key")
    assert item.line == 5 and item.key == "DOTENV_PRIVATE_KEY" and "DOTENV_PUBLIC_KEY" in item.message and "environment" in item.message
    bad = check(project, files=[".env"], environ={"DOTENV_PRIVATE_KEY": "not-a-key"})
    assert "not a secp256k1 private key" in found(bad, "env.dotenvx-wrong-key")[0].message


def test_wrong_private_key_from_the_cli_exits_1_without_traceback(project: Path) -> None:
    (project / ".env.keys").unlink()
    env = dict(os.environ, DOTENV_PRIVATE_KEY=secrets.token_hex(32), NO_COLOR="1")
    out = aicheck("env", "check", "--file", ".env", cwd=project, env=env)
    assert out.returncode == 1 and "env.dotenvx-wrong-key" in out.stdout and "Traceback" not in out.stderr


def test_altered_value_is_malformed(project: Path) -> None:
    text = (project / ".env").read_text()
    start = text.index("OPENAI_API_KEY=encrypted:") + len("OPENAI_API_KEY=encrypted:") + 120
    flipped = text[:start] + ("A" if text[start] != "A" else "B") + text[start + 1 :]
    (project / ".env").write_text(flipped)
    result = check(project, files=[".env"])
    assert keys(result, "env.dotenvx-malformed") == ["OPENAI_API_KEY"] and result.decrypted == 10


def test_plaintext_secret_in_an_encrypted_file(project: Path) -> None:
    groq = "gsk_" + secrets.token_hex(26)
    with (project / ".env").open("a") as handle:
        handle.write(f"LATE_GROQ_API_KEY={groq}\nNOTE_PLAIN=not secret but fine\n")
    result = check(project, files=[".env"])
    assert keys(result, "env.dotenvx-plaintext") == ["LATE_GROQ_API_KEY"]


def test_encrypted_secret_under_a_client_prefix_is_still_published(tmp_path: Path) -> None:
    header = dotenv_values(VECTORS / ".env")
    text = f'DOTENV_PUBLIC_KEY="{header["DOTENV_PUBLIC_KEY"]}"\nVITE_OPENAI_API_KEY={header["OPENAI_API_KEY"]}\n'
    result = check(write(tmp_path, {".env": text}))
    (item,) = found(result, "env.client-exposed-secret")
    assert "(encrypted)" in item.message


# --- the real CLI, when .ci/dotenvx.sh installed it ------------------------------------------------


def _dotenvx_cli() -> str | None:
    return os.environ.get("AICHECK_DOTENVX") or shutil.which("dotenvx")


@pytest.mark.skipif(_dotenvx_cli() is None, reason="dotenvx CLI not found: `source .ci/dotenvx.sh` (needs node and npm) or set AICHECK_DOTENVX")
def test_fresh_files_from_the_real_dotenvx_cli(tmp_path: Path) -> None:
    cli = _dotenvx_cli()
    assert cli is not None
    token = secrets.token_urlsafe(24)
    plain = (
        f"OPENAI_API_KEY=sk-test-not-a-real-key-{token}\n"
        f'QUOTED="double {token} with \\n escape"\n'
        f"SINGLE='single {token} $x'\n"
        f'MULTI="first {token}\nsecond line"\n'
        f"UNICODE=ünïcødé {token} ✓\n"
        "EMPTY=\n"
    )
    root = write(tmp_path / "fresh", {".env": plain, ".env.staging": f"STAGING_TOKEN=synthetic-{token}\n"})
    write(tmp_path / "plain", {".env": plain, ".env.staging": f"STAGING_TOKEN=synthetic-{token}\n"})
    home = dict(os.environ, HOME=str(tmp_path), DOTENVX_NO_UPDATE="1")
    subprocess.run([cli, "encrypt", "-f", ".env", "-f", ".env.staging"], cwd=root, env=home, check=True, capture_output=True, timeout=120)
    assert token not in (root / ".env").read_text()  # really encrypted
    for name in (".env", ".env.staging"):
        assert load_values(root / name, environ={}) == dict(dotenv_values(tmp_path / "plain" / name))
    private = dotenv_values(root / ".env.keys")["DOTENV_PRIVATE_KEY_STAGING"]
    (root / ".env.keys").unlink()
    values = load_values(root / ".env.staging", environ={"DOTENV_PRIVATE_KEY_STAGING": str(private)})
    assert values["STAGING_TOKEN"] == f"synthetic-{token}"
