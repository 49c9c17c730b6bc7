"""Are .env files with secrets, and dotenvx's .env.keys, kept out of git? Asked of git itself:
``git ls-files`` for what is tracked, ``git check-ignore`` for what the ignore rules cover."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from aicheck import git
from aicheck.env.context import Context
from aicheck.env.finding import EnvFinding, finding
from aicheck.env.parse import Entry, EnvFile
from aicheck.severity import is_obviously_fake


def check(envs: list[EnvFile], keys_files: list[EnvFile], ctx: Context) -> Iterator[EnvFinding]:
    top = ctx.top
    if top is None:
        return
    rel = {env.name: path for env in envs + keys_files if (path := _relative(env.path, top)) is not None}
    in_index = git.tracked(top, list(rel.values()))
    covered = git.ignored(top, list(rel.values()))
    for env in (e for e in envs if e.name in rel):
        secrets = _plaintext_secrets(env, ctx)
        if secrets:
            yield from _secret_file(env, secrets, rel[env.name] in in_index, rel[env.name] in covered)
    for keys in (k for k in keys_files if k.name in rel):
        yield from _keys_file(keys, rel[keys.name] in in_index, rel[keys.name] in covered)


def _relative(path: Path, top: Path) -> str | None:
    """The path inside the work tree, or None for a file outside it (``--file /tmp/x.env``)."""
    try:
        return path.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return None


def _plaintext_secrets(env: EnvFile, ctx: Context) -> list[Entry]:
    """Secrets as written in the file: dotenvx ciphertext is safe to commit, so it does not count,
    and neither do stand-ins such as ``fake-api-key`` (a committed .env.test full of them is fine)."""
    return [
        entry for entry in env.entries
        if not entry.encrypted and not entry.key.startswith("DOTENV_") and ctx.classifier.secret(entry.key, entry.raw)
        and not is_obviously_fake(entry.raw or "")
    ]


def _secret_file(env: EnvFile, secrets: list[Entry], tracked: bool, ignored: bool) -> Iterator[EnvFinding]:
    names = ", ".join(entry.key for entry in secrets[:4]) + (" …" if len(secrets) > 4 else "")
    count = f"{len(secrets)} plaintext secret{'s' if len(secrets) != 1 else ''} ({names})"
    line = secrets[0].line
    if tracked:
        yield finding("env.tracked-secret", env.name, line, None, f"{env.name} is tracked by git and holds {count}")
    elif not ignored:
        yield finding("env.not-ignored", env.name, line, None,
                      f"{env.name} holds {count} and no .gitignore rule covers it: `git add .` would commit it",
                      f"Add {env.path.name} to .gitignore (or `.env*` with `!.env.example`).")


def _keys_file(keys: EnvFile, tracked: bool, ignored: bool) -> Iterator[EnvFinding]:
    if tracked:
        yield finding("env.keys-file-committed", keys.name, 0, None,
                      f"{keys.name} is tracked by git: the private keys that decrypt every dotenvx value are in the repository")
    elif not ignored:
        yield finding("env.not-ignored", keys.name, 0, None,
                      f"{keys.name} holds dotenvx private keys and no .gitignore rule covers it: `git add .` would commit it",
                      "Add .env.keys to .gitignore.")
