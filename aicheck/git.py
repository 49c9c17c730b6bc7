"""Thin helpers around the git command line (no git library: git itself is the reference)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
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


def require_repo(path: Path, why: str) -> Path:
    top = toplevel(path.resolve())
    if top is None:
        raise GitError(f"{path}: not a git repository ({why} needs one)")
    return top


def has_commits(top: Path) -> bool:
    proc = subprocess.run(
        ["git", "rev-parse", "--verify", "-q", "HEAD^{commit}"], cwd=top, capture_output=True, check=False
    )
    return proc.returncode == 0


def verify_ref(top: Path, ref: str) -> str:
    proc = subprocess.run(
        ["git", "rev-parse", "--verify", "-q", f"{ref}^{{commit}}"], cwd=top, capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise GitError(f"--since {ref}: no such commit, branch or tag in {top}")
    return proc.stdout.decode().strip()


# Bounded pack mappings and delta cache for the long-running object readers: with git's defaults
# (1 GiB windows, 96 MB delta cache) one cat-file reached 415 MB resident on vercel/ai's history,
# one per worker; with these 57 MB, at no measurable CPU cost.
LEAN = ["-c", "core.deltaBaseCacheLimit=16m", "-c", "core.packedGitWindowSize=16m", "-c", "core.packedGitLimit=64m"]


class BlobReader:
    """One ``git cat-file --batch --buffer`` process: blob contents by id, streamed, no temp files.

    ``read_many`` (once per reader) writes the ids from a thread while reading answers, then
    closes git's stdin: with ``--buffer`` git writes answers in large blocks instead of flushing
    after each object, which cost a process round trip per blob on long histories.
    """

    def __init__(self, top: Path) -> None:
        self._proc = subprocess.Popen(
            ["git", *LEAN, "cat-file", "--batch", "--buffer"], cwd=top, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.missing: list[str] = []  # ids git does not have (a partial or damaged clone)

    def read_many(self, oids: list[str]) -> Iterator[tuple[str, bytes | None]]:
        import threading

        assert self._proc.stdin is not None
        stdin = self._proc.stdin

        def feed() -> None:
            try:
                stdin.write("".join(oid + "\n" for oid in oids).encode())
                stdin.close()
            except OSError:  # git ended early (a corrupt object): _answer reports it
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        for oid in oids:
            yield oid, self._answer()
        writer.join()

    def _answer(self) -> bytes | None:
        assert self._proc.stdout is not None
        header = self._proc.stdout.readline().split()
        if not header:  # git stopped answering: a corrupt object, not a missing one
            raise GitError(f"git cat-file failed: {self._error()}")
        if len(header) < 3 or header[1] == b"missing":
            self.missing.append(header[0].decode("ascii", "replace"))
            return None
        size = int(header[2])
        data = self._proc.stdout.read(size)
        if len(data) < size or self._proc.stdout.read(1) != b"\n":
            raise GitError(f"git cat-file failed: {self._error()}")
        return data if header[1] == b"blob" else None

    def _error(self) -> str:
        self._proc.kill()
        self._proc.wait()
        message = self._proc.stderr.read().decode("utf-8", "replace").strip() if self._proc.stderr else ""
        return message or "no answer (a corrupt or unreadable object)"

    def close(self, interrupted: bool = False) -> None:
        if interrupted:  # git may be blocked writing an answer nobody will read
            self._proc.kill()
        try:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        except OSError:
            pass
        self._proc.wait()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close(interrupted=kind is not None)


def stored(top: Path, oids: list[str]) -> set[str]:
    """Which of these ids have an object file or pack entry at all.

    ``cat-file --batch`` answers "missing" both for an object that is absent (a partial clone)
    and for one whose data is corrupt; only the listing tells them apart.
    """
    if not oids:
        return set()
    proc = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch-check=%(objectname)", "--unordered"],
        cwd=top, capture_output=True, check=False, stdin=subprocess.DEVNULL,
    )
    wanted = set(oids)
    return {line for line in proc.stdout.decode("ascii", "replace").split() if line in wanted}


def blob_sizes(top: Path, oids: list[str]) -> dict[str, int]:
    """Sizes of many objects at once (``git cat-file --batch-check``)."""
    proc = subprocess.run(
        ["git", *LEAN, "cat-file", "--batch-check=%(objectname) %(objectsize)"],
        cwd=top, input="\n".join(oids).encode() + b"\n", capture_output=True, check=False,
    )
    sizes: dict[str, int] = {}
    for line in proc.stdout.decode().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            sizes[parts[0]] = int(parts[1])
    return sizes


def tracked(top: Path, relpaths: list[str]) -> set[str]:
    """Which of these paths (relative to ``top``) are in the index."""
    if not relpaths:
        return set()
    out = run(["ls-files", "-z", "--cached", "--full-name", "--", *(f":(literal){p}" for p in relpaths)], top)
    return {p for p in out.decode("utf-8", "surrogateescape").split("\0") if p}


def ignored(top: Path, relpaths: list[str]) -> set[str]:
    """Which of these paths a .gitignore rule (or info/exclude, core.excludesFile) covers.

    ``--no-index`` asks about the rules alone: a tracked file matched by a rule counts too.
    """
    if not relpaths:
        return set()
    proc = subprocess.run(
        ["git", "check-ignore", "-z", "--no-index", "--stdin"], cwd=top, capture_output=True, check=False,
        input="\0".join(relpaths).encode("utf-8", "surrogateescape") + b"\0",
    )
    if proc.returncode not in (0, 1):
        raise GitError(f"git check-ignore failed in {top}: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return {p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p}
