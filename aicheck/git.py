"""Thin helpers around the git command line (no git library: git itself is the reference)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from aicheck.errors import AicheckError


class GitError(AicheckError):
    pass


def run(args: list[str], cwd: Path, check: bool = True) -> bytes:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {args[0]} failed in {cwd}: {message}")
    return proc.stdout


def toplevel(path: Path) -> Path | None:
    """The work tree root containing ``path``, or None outside a repository."""
    directory = path if path.is_dir() else path.parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=directory,
            capture_output=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (FileNotFoundError, NotADirectoryError):
        return None
    if out.returncode != 0:
        return None
    return Path(out.stdout.decode().strip())


def ls_files(top: Path, pathspecs: list[str]) -> list[str]:
    """Tracked and untracked-but-not-ignored files, relative to ``top``."""
    out = run(
        ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate", "--", *pathspecs],
        top,
    )
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def is_ignored(top: Path, relpath: str) -> bool:
    proc = subprocess.run(
        ["git", "check-ignore", "-q", "--", relpath], cwd=top, capture_output=True, check=False
    )
    return proc.returncode == 0
