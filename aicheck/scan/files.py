"""Which files a working-tree scan reads: git-aware listing, excludes, size and binary checks."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from aicheck import git, globs
from aicheck.errors import AicheckError

# Outside a git repository nothing says what is generated; these never hold the user's code.
WALK_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache", ".pytest_cache", ".aicheck"}
# Formats that cannot carry a readable key; skipped without opening them.
BINARY_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".avif", ".tif", ".tiff", ".psd",
    ".mp3", ".mp4", ".wav", ".ogg", ".flac", ".mov", ".avi", ".mkv", ".webm",
    ".woff", ".woff2", ".ttf", ".otf", ".eot",
    ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".zst", ".whl", ".jar", ".war",
    ".so", ".dylib", ".dll", ".exe", ".o", ".a", ".pyc", ".pyo", ".class", ".wasm",
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".sqlite", ".db",
    ".npy", ".npz", ".pt", ".pth", ".onnx", ".safetensors", ".h5", ".parquet", ".pkl",
}
SNIFF_BYTES = 8192
# Package-manager lockfiles: generated, versions and integrity hashes only. gitleaks and
# betterleaks skip the same names (their default configs' path allowlists); pnpm-lock.yaml
# alone was 2.9 of the 5.2 GB of file versions in vercel/ai's history.
LOCKFILES = {
    "pnpm-lock.yaml", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "deno.lock",
    "Pipfile.lock", "poetry.lock", "uv.lock", "go.sum", "gradle.lockfile",
}


def is_lockfile(rel: str) -> bool:
    return rel.rpartition("/")[2] in LOCKFILES


@dataclass(frozen=True)
class Target:
    path: Path  # absolute
    rel: str  # '/'-separated, relative to the scan root


def resolve_root(paths: list[Path]) -> tuple[Path, Path | None]:
    """The root findings are relative to, and the git work tree if there is one."""
    for path in paths:
        check_readable(path)
    top = git.toplevel(paths[0].resolve())
    if top is not None and all(_inside(p.resolve(), top) for p in paths):
        return top, top
    if len(paths) == 1:
        first = paths[0].resolve()
        return (first if first.is_dir() else first.parent), None
    return Path.cwd().resolve(), None


_KINDS = {stat.S_IFIFO: "a pipe or FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket"}


def check_readable(path: Path) -> None:
    """A path named on the command line must be a folder or regular file aicheck can read.

    Anything else would be a scan that read nothing and still said "no credentials found": a
    FIFO or process substitution (``<(...)``) would hang or be skipped, ``/dev/zero`` never ends.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise AicheckError(f"{path}: no such file or directory") from None
    except OSError as exc:
        raise AicheckError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        _probe(lambda: os.scandir(path).close(), path)
        return
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise AicheckError(f"{path}: {kind}, not a file aicheck can scan; to scan a stream, pipe it in: ... | aicheck scan -")
    _probe(lambda: open(path, "rb").close(), path)


def _probe(action: object, path: Path) -> None:
    try:
        action()  # type: ignore[operator]
    except OSError as exc:
        raise AicheckError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _inside(path: Path, top: Path) -> bool:
    return path == top or top in path.parents


def list_targets(paths: list[Path], root: Path, top: Path | None, exclude: list[str]) -> Iterator[Target]:
    seen: set[str] = set()
    for path in paths:
        for target in _list_one(path.resolve(), root, top):
            if target.rel in seen or globs.matches(target.rel, exclude):
                continue
            seen.add(target.rel)
            yield target


def _list_one(path: Path, root: Path, top: Path | None) -> Iterator[Target]:
    if path.is_file():
        yield Target(path, _rel(path, root))
        return
    if top is not None:
        rel = _rel(path, top) if path != top else "."
        if rel == "." or not git.is_ignored(top, rel):
            for name in git.ls_files(top, [rel]):
                yield Target(top / name, name)
            return
        # An ignored folder named explicitly (a build output such as dist/) is still scanned:
        # that is where an inlined VITE_ key ends up.
    yield from _walk(path, root)


def _walk(path: Path, root: Path) -> Iterator[Target]:
    """Files under ``path``, sorted, with an explicit stack: no recursion limit on deep trees.

    A folder that cannot be listed is yielded as a target too; reading it fails and it is
    reported as skipped ("unreadable"), never silently left out.
    """
    stack = [str(path)]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            if directory != str(path):
                full = Path(directory)
                yield Target(full, _rel(full, root))
            continue
        folders = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in WALK_SKIP_DIRS:
                    folders.append(entry.path)
                continue
            if entry.is_symlink() and entry.is_dir():  # a linked folder is not followed
                continue
            full = Path(entry.path)
            yield Target(full, _rel(full, root))
        stack.extend(reversed(folders))


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def skip_reason(target: Target, max_size: int) -> str | None:
    """Why a file is not scanned, or None to scan it (does not read the file)."""
    if target.path.suffix.lower() in BINARY_SUFFIXES:
        return "binary"
    if target.path.name in LOCKFILES:
        return "lockfile (generated: versions and checksums)"
    try:
        info = target.path.lstat()
    except OSError as exc:
        return f"unreadable: {exc.strerror}"
    if stat.S_ISDIR(info.st_mode):
        try:
            os.scandir(target.path).close()
        except OSError as exc:  # a folder the walk could not list
            return f"unreadable folder: {exc.strerror}"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_size > max_size:
        return f"too large ({_mb(info.st_size)} > {_mb(max_size)}; raise [scan] max_file_size to scan it)"
    return None


def is_binary(head: bytes) -> bool:
    return b"\0" in head[:SNIFF_BYTES]


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
