"""What to sweep: repositories named in a list file, a folder of repositories, or every
repository of a GitHub organisation or GitLab group (their REST APIs, paginated).

``github:ORG`` and ``gitlab:GROUP`` name organisations. The token comes from the environment
(``GITHUB_TOKEN``/``GH_TOKEN``, ``GITLAB_TOKEN``) and is sent only to the configured API host,
over https (plain http only to loopback, for tests), never after a redirect, and never printed.
The API base URLs can be changed with ``AICHECK_GITHUB_API_URL`` and ``AICHECK_GITLAB_API_URL``
(GitHub Enterprise, self-hosted GitLab, a local fake in tests).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from aicheck import transport
from aicheck.errors import AicheckError

GITHUB_API = "https://api.github.com"
GITLAB_API = "https://gitlab.com/api/v4"
_MAX_LIST_LINES = 100_000
_MAX_PAGES = 1_000  # 100,000 repositories at 100 a page
_MAX_BODY = 20_000_000


@dataclass(frozen=True)
class Repo:
    """One repository to sweep: ``name`` for people, ``url`` for git (a URL or a local path)."""

    name: str
    url: str

    @property
    def key(self) -> str:
        """A stable id for the state and the cache folder (the URL, hashed)."""
        return hashlib.sha256(self.url.encode("utf-8", "surrogateescape")).hexdigest()[:24]


@dataclass(frozen=True)
class Selection:
    archived: bool = False
    forks: bool = False


def expand(
    sources: list[str],
    selection: Selection = Selection(),
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Repo]:
    """Every repository the sources name, each once, in the order given."""
    environ = os.environ if env is None else env
    repos: dict[str, Repo] = {}
    for source in sources:
        for repo in _one(source, selection, environ, sleep):
            repos.setdefault(repo.url, repo)
    return list(repos.values())


def _one(source: str, selection: Selection, env: Mapping[str, str], sleep: Callable[[float], None]) -> Iterator[Repo]:
    kind, _, name = source.partition(":")
    if kind in ("github", "gitlab") and name.strip("/") and not Path(source).exists():
        api = GitHubApi(env, sleep) if kind == "github" else GitLabApi(env, sleep)
        yield from api.repositories(name.strip("/"), selection)
        return
    path = Path(source)
    if path.is_dir():
        yield from _folder(path)
    elif path.is_file():
        yield from _list_file(path)
    else:
        raise AicheckError(f"{source}: not a list file, a folder, github:ORG or gitlab:GROUP")


def is_repository(path: Path) -> bool:
    return (path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())


def _folder(path: Path) -> Iterator[Repo]:
    if is_repository(path):
        yield Repo(path.name, str(path.resolve()))
        return
    for child in sorted(path.iterdir()):
        if child.is_dir() and is_repository(child):
            yield Repo(child.name, str(child.resolve()))


def _list_file(path: Path) -> Iterator[Repo]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()[:_MAX_LIST_LINES]
    except (OSError, UnicodeDecodeError) as exc:
        raise AicheckError(f"{path}: cannot read the list of repositories: {exc}") from None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "://" in line or re.match(r"^[\w.-]+@[\w.-]+:", line):
            yield Repo(_name_from_url(line), line)
            continue
        local = (path.parent / line).resolve()
        if not is_repository(local):
            raise AicheckError(f"{path}:{number}: {line}: not a repository URL nor a local repository")
        yield Repo(local.name, str(local))


def _name_from_url(url: str) -> str:
    tail = re.sub(r"\.git$", "", url.rstrip("/"))
    parts = re.split(r"[/:]", tail)
    return "/".join(parts[-2:]) if len(parts) >= 2 else tail


# --- organisation listing over REST ----------------------------------------------------------


class _Api:
    base_env = ""
    default_base = ""
    token_envs: tuple[str, ...] = ()
    remaining_header = ""
    reset_header = ""

    def __init__(self, env: Mapping[str, str], sleep: Callable[[float], None], max_wait: float = 900.0) -> None:
        self.base = (env.get(self.base_env) or self.default_base).rstrip("/")
        self.token = next((env[name] for name in self.token_envs if env.get(name)), None)
        self.sleep = sleep
        self.max_wait = max_wait
        try:  # https, or plain http to loopback only: the token goes there (aicheck.transport)
            self._origin = transport.parse_origin(self.base)
        except transport.Refused as exc:
            raise AicheckError(f"{self.base_env}: {exc}") from None

    def headers(self) -> dict[str, str]:
        return {"Accept": "application/json", "User-Agent": "aicheck-sweep"}

    auth_style = "bearer"  # how the token is sent (aicheck.transport.AUTH_HEADERS)

    def pages(self, url: str) -> Iterator[list[dict[str, Any]]]:
        """Every page, following ``Link: rel="next"`` on the same host only."""
        with transport.sync_client(timeout=30) as client:
            for _ in range(_MAX_PAGES):
                response = self._get(client, url)
                body = response.json()
                if not isinstance(body, list):
                    raise AicheckError(f"{self._where(url)}: expected a list of repositories")
                yield [item for item in body if isinstance(item, dict)]
                next_url = response.links.get("next", {}).get("url")
                if not next_url:
                    return
                if not self._same_host(next_url):
                    raise AicheckError(f"{self._where(url)}: the next page is on another host; not followed")
                url = next_url
                self._pause_if_exhausted(response)

    def _get(self, client: Any, url: str) -> Any:
        for _ in range(5):
            response = self._send(client, url)
            if response.status_code == 200:
                if len(response.content) > _MAX_BODY:
                    raise AicheckError(f"{self._where(url)}: answer too large")
                return response
            if 300 <= response.status_code < 400:
                raise AicheckError(f"{self._where(url)}: HTTP {response.status_code} redirect; not followed (check the API URL)")
            wait = self._rate_limit_wait(response)
            if wait is None:
                raise AicheckError(f"{self._where(url)}: HTTP {response.status_code}{self._why(response)}")
            self.sleep(wait)
        raise AicheckError(f"{self._where(url)}: still rate limited after 5 waits")

    def _rate_limit_wait(self, response: Any) -> float | None:
        """Seconds to wait when the answer is a rate limit, None when it is a refusal.

        GitHub: 403 or 429 with ``x-ratelimit-remaining: 0`` (wait for ``x-ratelimit-reset``, epoch
        seconds) or with ``retry-after`` (secondary limits). Source:
        https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api (checked 2026-12-06).
        """
        if response.status_code not in (403, 429):
            return None
        headers = response.headers
        wait: float | None = None
        if headers.get("retry-after", "").isdigit():
            wait = float(headers["retry-after"])
        elif headers.get(self.remaining_header) == "0" and headers.get(self.reset_header, "").isdigit():
            wait = max(0.0, float(headers[self.reset_header]) - time.time()) + 1
        elif response.status_code == 429:
            wait = 60.0
        if wait is not None and wait > self.max_wait:
            raise AicheckError(f"{self._where(str(response.url))}: rate limited for {wait:.0f} s more; set a token or try later")
        return wait

    def _pause_if_exhausted(self, response: Any) -> None:
        headers = response.headers
        if headers.get(self.remaining_header) == "0" and headers.get(self.reset_header, "").isdigit():
            wait = max(0.0, float(headers[self.reset_header]) - time.time()) + 1
            if wait > self.max_wait:
                raise AicheckError(f"{self.base}: rate limit exhausted for {wait:.0f} s; set a token or try later")
            self.sleep(wait)

    def _why(self, response: Any) -> str:
        try:
            message = response.json().get("message")
        except ValueError:
            message = None
        hint = "" if self.token else f" (no token: set {self.token_envs[0]})"
        return (f": {str(message)[:200]}" if isinstance(message, str) else "") + hint

    def _send(self, client: Any, url: str) -> Any:
        """GET ``url``; the token, when there is one, only through ``aicheck.transport``."""
        if not self.token:
            return client.get(url, headers=self.headers())
        request = transport.keyed_request(client, "GET", url, base_url=self.base, auth=self.auth_style, key=self.token, headers=self.headers())
        return client.send(request, follow_redirects=False)

    def _same_host(self, url: str) -> bool:
        try:
            return transport.parse_origin(url) == self._origin
        except transport.Refused:
            return False

    def _where(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}{parts.path}"


class GitHubApi(_Api):
    base_env = "AICHECK_GITHUB_API_URL"
    default_base = GITHUB_API
    token_envs = ("GITHUB_TOKEN", "GH_TOKEN")
    remaining_header = "x-ratelimit-remaining"
    reset_header = "x-ratelimit-reset"

    def headers(self) -> dict[str, str]:
        # https://docs.github.com/en/rest/repos/repos#list-organization-repositories (checked 2026-12-06)
        return {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "aicheck-sweep"}


    def repositories(self, org: str, selection: Selection) -> Iterator[Repo]:
        url = f"{self.base}/orgs/{quote(org, safe='')}/repos?type=all&per_page=100"
        for page in self.pages(url):
            for item in page:
                if (item.get("archived") and not selection.archived) or (item.get("fork") and not selection.forks):
                    continue
                if isinstance(item.get("clone_url"), str) and isinstance(item.get("full_name"), str):
                    yield Repo(item["full_name"], item["clone_url"])


class GitLabApi(_Api):
    base_env = "AICHECK_GITLAB_API_URL"
    default_base = GITLAB_API
    token_envs = ("GITLAB_TOKEN",)
    remaining_header = "ratelimit-remaining"
    reset_header = "ratelimit-reset"

    auth_style = "private-token"

    def repositories(self, group: str, selection: Selection) -> Iterator[Repo]:
        # https://docs.gitlab.com/api/groups/#list-projects (checked 2026-12-06)
        url = f"{self.base}/groups/{quote(group, safe='')}/projects?include_subgroups=true&per_page=100"
        if not selection.archived:
            url += "&archived=false"
        for page in self.pages(url):
            for item in page:
                if item.get("forked_from_project") and not selection.forks:
                    continue
                if isinstance(item.get("http_url_to_repo"), str) and isinstance(item.get("path_with_namespace"), str):
                    yield Repo(item["path_with_namespace"], item["http_url_to_repo"])

