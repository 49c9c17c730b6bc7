"""One bare, blob-filtered mirror per repository in a cache folder, cloned once and fetched after.

``git clone --bare --filter=blob:none`` brings commits and trees only; the blobs a scan needs
(those the new commits bring) are then fetched in one batch (``git fetch --stdin`` of their ids,
what git's own lazy fetch runs, minus a round trip per blob). Local repositories are cloned over
``file://`` with filtering allowed, so they behave like remote ones.

No credential is ever put on a command line or in the mirror's config: a token for github.com or
gitlab.com comes from the worker's own environment and reaches git through ``GIT_CONFIG_*``
variables scoped to that host.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from aicheck.git import GitError

# Local sources only: filtering allowed, and no delta search (pack.window=0) for a copy that
# never crosses a network: half the time of a blob prefetch on openai-python's history.
_UPLOAD_PACK = "git -c uploadpack.allowFilter=true -c uploadpack.allowAnySHA1InWant=true -c pack.window=0 upload-pack"
_REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
_TOKEN_HOSTS = {"github.com": ("GITHUB_TOKEN", "GH_TOKEN"), "gitlab.com": ("GITLAB_TOKEN",)}
_USERINFO = re.compile(r"(://)[^/@\s]+@")


def display_url(url: str) -> str:
    """The URL without any ``user:password@`` part (list files sometimes carry one)."""
    return _USERINFO.sub(r"\1", url)


def mirror_path(cache: Path, key: str) -> Path:
    return cache / f"{key}.git"


def sync(url: str, dest: Path, env: Mapping[str, str] | None = None) -> None:
    """Clone ``url`` into ``dest`` (bare, blob-filtered) or fetch what is new into it."""
    environ = _git_env(url, os.environ if env is None else env)
    if (dest / "HEAD").is_file():
        _git(["fetch", "--prune", "--quiet", "origin"], dest, environ)
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=dest.name + ".", dir=dest.parent))
    try:
        source, extra = _source(url)
        _git(["clone", "--bare", "--quiet", "--filter=blob:none", *extra, source, str(partial / "m.git")], dest.parent, environ)
        for number, refspec in enumerate(_REFSPECS):
            _git(["config", "--add" if number else "--replace-all", "remote.origin.fetch", refspec], partial / "m.git", environ)
        try:
            (partial / "m.git").rename(dest)  # a clone cut short never looks like a mirror
        except OSError:
            if not (dest / "HEAD").is_file():  # else a rerun of this task on another worker won
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _source(url: str) -> tuple[str, list[str]]:
    if "://" in url or re.match(r"^[\w.-]+@[\w.-]+:", url):
        return url, ["--config", f"remote.origin.uploadpack={_UPLOAD_PACK}"] if url.startswith("file://") else []
    path = Path(url)
    if not path.is_dir():
        raise GitError(f"{url}: no such repository")
    return path.resolve().as_uri(), ["--upload-pack", _UPLOAD_PACK, "--config", f"remote.origin.uploadpack={_UPLOAD_PACK}"]


def tips(dest: Path) -> dict[str, str]:
    """Each branch and tag, as the commit it points at."""
    out = _git(["for-each-ref", "--format=%(objecttype) %(objectname) %(*objecttype) %(*objectname) %(refname)"], dest)
    found: dict[str, str] = {}
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        kind, oid, peeled_kind, peeled, ref = (line.split(" ", 4) + [""] * 5)[:5]
        if kind == "commit":
            found[ref] = oid
        elif peeled_kind == "commit":
            found[ref] = peeled
    return found


def head(dest: Path) -> str | None:
    proc = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD^{commit}"], cwd=dest, capture_output=True, check=False)
    return proc.stdout.decode().strip() or None


def present(dest: Path, shas: list[str]) -> list[str]:
    """Those of ``shas`` that are commits in the mirror."""
    if not shas:
        return []
    out = _git(["cat-file", "--batch-check=%(objectname) %(objecttype)"], dest, stdin="\n".join(shas) + "\n")
    return [line.split()[0] for line in out.decode().splitlines() if line.endswith(" commit")]


def new_commits(dest: Path, include: list[str], exclude: list[str]) -> list[tuple[str, list[str]]]:
    """Commits reachable from ``include`` and not from ``exclude``, parents first, with their parents."""
    if not include:
        return []
    spec = "\n".join(include + ["^" + sha for sha in exclude]) + "\n"
    out = _git(["rev-list", "--topo-order", "--reverse", "--parents", "--stdin"], dest, stdin=spec)
    commits = []
    for line in out.decode().splitlines():
        sha, *parents = line.split()
        commits.append((sha, parents))
    return commits


def prefetch(dest: Path, include: list[str], exclude: list[str], env: Mapping[str, str] | None = None) -> int:
    """Fetch, in one batch, every blob the commits to scan need and the mirror lacks."""
    if not include:
        return 0
    spec = "\n".join(include + ["^" + sha for sha in exclude]) + "\n"
    out = _git(["rev-list", "--objects", "--missing=print", "--stdin"], dest, stdin=spec)
    missing = [line[1:] for line in out.decode().splitlines() if line.startswith("?")]
    return _fetch_blobs(dest, missing, env)


def prefetch_tree(dest: Path, commit: str, env: Mapping[str, str] | None = None) -> int:
    """Fetch the blobs of one commit's tree the mirror lacks (before a ``git grep`` of it)."""
    out = _git(["rev-list", "--objects", "--missing=print", "--no-walk", commit], dest)
    return _fetch_blobs(dest, [line[1:] for line in out.decode().splitlines() if line.startswith("?")], env)


def _fetch_blobs(dest: Path, oids: list[str], env: Mapping[str, str] | None) -> int:
    """One ``git fetch --stdin`` of the ids; when the remote lacks some (a damaged or partial
    source), halves are retried so the rest still arrive and the missing ones are skipped."""
    if not oids:
        return 0
    url = _git(["config", "remote.origin.url"], dest).decode().strip()
    try:
        _git(
            ["-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
             "--recurse-submodules=no", "--filter=blob:none", "--stdin", "origin"],
            dest, _git_env(url, os.environ if env is None else env), stdin="\n".join(oids) + "\n",
        )
    except GitError:
        if len(oids) == 1:
            return 0
        half = len(oids) // 2
        return _fetch_blobs(dest, oids[:half], env) + _fetch_blobs(dest, oids[half:], env)
    return len(oids)


@contextmanager
def view(dest: Path, heads: list[str], exclude: list[str]) -> Iterator[tuple[Path, str | None]]:
    """A throw-away repository that sees only ``heads`` (objects shared with the mirror) and a
    commit to pass as ``--since`` that hides everything ``exclude`` reaches.

    Its HEAD is unborn so that ``--all`` means exactly ``heads``. The hiding commit has an empty
    tree and ``exclude`` as parents, and lives only in the view's own object folder.
    """
    folder = Path(tempfile.mkdtemp(prefix="aicheck-view-"))
    try:
        top = folder / "v.git"
        _git(["init", "--quiet", "--bare", str(top)], folder)
        (top / "objects" / "info" / "alternates").write_text(str((dest / "objects").resolve()) + "\n", encoding="utf-8")
        _git(["update-ref", "--stdin"], top, stdin="".join(f"create refs/heads/r{n} {sha}\n" for n, sha in enumerate(heads)))
        _git(["symbolic-ref", "HEAD", "refs/heads/aicheck-unborn"], top)
        yield top, _hiding_commit(top, exclude)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _hiding_commit(top: Path, exclude: list[str]) -> str | None:
    if not exclude:
        return None
    tree = _git(["hash-object", "-t", "tree", "-w", "--stdin"], top, stdin="").decode().strip()
    parents = [arg for sha in exclude for arg in ("-p", sha)]
    env = {"GIT_AUTHOR_NAME": "aicheck", "GIT_AUTHOR_EMAIL": "aicheck@localhost", "GIT_COMMITTER_NAME": "aicheck",
           "GIT_COMMITTER_EMAIL": "aicheck@localhost"}
    return _git(["commit-tree", tree, *parents, "-m", "aicheck sweep: already scanned"], top, {**os.environ, **env}).decode().strip()


def grep_head(dest: Path, top: Path, head_sha: str | None, secrets: set[str]) -> set[str]:
    """The secrets still in the tree of ``head_sha``: one ``git grep -F``, secrets through stdin.

    Missing blobs are fetched into the mirror ``dest`` in one batch first; the grep runs in the
    view ``top``, which never fetches (a blob the source lacks is skipped, not fetched one by one).
    """
    if not secrets or not head_sha:
        return set()
    prefetch_tree(dest, head_sha)
    probes = {max(secret.replace("\\n", "\n").split("\n"), key=len): secret for secret in secrets}
    proc = subprocess.run(
        ["git", "grep", "-F", "-I", "-h", "-o", "--no-color", "-f", "-", head_sha],
        cwd=top, input="\n".join(probes).encode("utf-8", "surrogateescape") + b"\n", capture_output=True, check=False,
    )
    found = set(proc.stdout.decode("utf-8", "surrogateescape").splitlines())
    return {secret for probe, secret in probes.items() if probe in found}


def _git_env(url: str, env: Mapping[str, str]) -> dict[str, str]:
    """git's environment: never a prompt; a host-scoped auth header for github.com/gitlab.com."""
    out = {**env, "GIT_TERMINAL_PROMPT": "0", "GIT_HTTP_LOW_SPEED_LIMIT": "1000", "GIT_HTTP_LOW_SPEED_TIME": "60"}
    parts = urlsplit(url)
    names = _TOKEN_HOSTS.get(parts.hostname or "") if parts.scheme == "https" else None
    token = next((env[name] for name in names or () if env.get(name)), None)
    if token and names:
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode() if parts.hostname == "github.com" else None
        header = f"Authorization: Basic {basic}" if basic else f"Authorization: Basic {base64.b64encode(f'oauth2:{token}'.encode()).decode()}"
        count = int(out.get("GIT_CONFIG_COUNT", "0") or 0)
        out[f"GIT_CONFIG_KEY_{count}"] = f"http.https://{parts.hostname}/.extraHeader"
        out[f"GIT_CONFIG_VALUE_{count}"] = header
        out["GIT_CONFIG_COUNT"] = str(count + 1)
    return out


def _git(args: list[str], cwd: Path, env: Mapping[str, str] | None = None, stdin: str | None = None) -> bytes:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=None if env is None else dict(env), capture_output=True, check=False,
        input=None if stdin is None else stdin.encode("utf-8", "surrogateescape"),
        stdin=subprocess.DEVNULL if stdin is None else None,
    )
    if proc.returncode != 0:
        message = display_url(proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:][0] if proc.stderr.strip() else "")
        raise GitError(f"git {args[0]} failed: {message or 'exit status ' + str(proc.returncode)}")
    return proc.stdout
