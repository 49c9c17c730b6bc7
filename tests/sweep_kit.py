"""Real git repositories for the sweep's tests, written with ``git fast-import`` (one process
per repository, so dozens cost well under a second), and a fake GitHub/GitLab REST API."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.conftest import git

# A commit: its files (path -> content; None deletes) and its author time.
Commit = dict[str, "str | None"]


def make_repo(path: Path, commits: list[Commit], branch: str = "main") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if not (path / ".git").exists():
        git(path, "init", "-q", "-b", branch)
    start = len(git(path, "rev-list", "--all").split()) if _has_commits(path) else 0
    stream = [_commit(branch, start + n, files, resume=(n == 0 and start > 0)) for n, files in enumerate(commits)]
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input="".join(stream).encode(), check=True,
                   env={"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin:/usr/local/bin"})
    return path


def _has_commits(path: Path) -> bool:
    return subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=path, capture_output=True).returncode == 0


def _commit(branch: str, number: int, files: Commit, resume: bool) -> str:
    lines = [f"commit refs/heads/{branch}", f"committer Dev {number % 7} <dev{number % 7}@example.com> {1_700_000_000 + number * 60} +0000",
             _data(f"change {number}")]
    if resume:  # fast-import's way to continue a branch that exists in the repository
        lines.append(f"from refs/heads/{branch}^0")
    for file, content in files.items():
        lines.append(f"D {file}" if content is None else f"M 100644 inline {file}\n" + _data(content))
    return "\n".join(lines) + "\n\n"


def _data(text: str) -> str:
    raw = text.encode()
    return f"data {len(raw)}\n{text}"


def head(path: Path) -> str:
    return git(path, "rev-parse", "HEAD").strip()


class FakeForge:
    """GitHub's and GitLab's "list the organisation's repositories" on 127.0.0.1, paginated with
    ``Link`` headers; ``script`` answers first (rate limits, refusals, redirects)."""

    def __init__(self, repos: list[dict[str, Any]], per_page: int = 2) -> None:
        self.repos, self.per_page = repos, per_page
        self.seen: list[dict[str, str]] = []  # path and headers of each request
        self.script: list[tuple[int, dict[str, str], Any]] = []
        forge = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                forge.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
                status, headers, body = forge.script.pop(0) if forge.script else forge.page(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def page(self, path: str) -> tuple[int, dict[str, str], Any]:
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(path)
        page = int(parse_qs(parts.query).get("page", ["1"])[0])
        items = self.repos[(page - 1) * self.per_page: page * self.per_page]
        headers = {"x-ratelimit-remaining": "4999", "x-ratelimit-reset": "0", "ratelimit-remaining": "1999"}
        if page * self.per_page < len(self.repos):
            query = parts.query.split("&page=")[0]
            headers["Link"] = f'<{self.base}{parts.path}?{query}&page={page + 1}>; rel="next", <{self.base}{parts.path}?{query}&page=99>; rel="last"'
        return 200, headers, items

    def __enter__(self) -> FakeForge:
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def forge(repos: list[dict[str, Any]], per_page: int = 2) -> Iterator[FakeForge]:
    with FakeForge(repos, per_page) as fake:
        yield fake


def recorder() -> tuple[list[float], Callable[[float], None]]:
    waits: list[float] = []
    return waits, waits.append
