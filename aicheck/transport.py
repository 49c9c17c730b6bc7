"""The one way a key leaves this machine: ``keyed_request`` builds every request that carries a
key (key validation, the fallback chain), and ``send`` sends it.

They alone know the rules of DESIGN.md's "Trust": the request goes to the origin of the base URL
it was built for and nowhere else; over https, or plain http to a loopback host only; never with
a user name or password in the URL; never following a redirect. A key that cannot be a header
value (a newline, non-ASCII letters) is refused before anything is sent, with a message that does
not show it. Which base URL a provider may use is decided before (``aicheck.trust``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aicheck.errors import AicheckError

if TYPE_CHECKING:
    import httpx

AUTH_HEADERS = {
    "bearer": "authorization", "x-api-key": "x-api-key", "x-goog-api-key": "x-goog-api-key", "api-key": "api-key",
    "private-token": "private-token",  # GitLab's REST API (aicheck sweep)
}
MAX_KEY_LENGTH = 1024
_UNSAFE_URL = re.compile(r"[\x00-\x20\x7f\\]")  # controls, spaces and backslashes: parsers disagree on them


class Refused(AicheckError):
    """A request with a key that the transport rules forbid; nothing was sent."""


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        default = {"http": 80, "https": 443}.get(self.scheme)
        port = "" if self.port == default else f":{self.port}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}{port}"


def parse_origin(url: str) -> Origin:
    """The origin of a base URL, or Refused when the URL is not one a key may go to."""
    if _UNSAFE_URL.search(url):
        raise Refused(f"{_shown(url)}: a URL with spaces, control characters or backslashes; keys are not sent to it")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"{_shown(url)} is not an http(s) URL (e.g. https://api.example.com/v1)")
    if "@" in parts.netloc:
        raise Refused(f"{_shown(url)}: a URL with a user name or password ('@'); keys are not sent to it")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise Refused(f"{_shown(url)} has an invalid port") from None
    host = parts.hostname.lower().rstrip(".")
    if scheme == "http" and not is_loopback(host):
        raise Refused(f"{_shown(url)}: keys go over plain http only to this machine (localhost, 127.0.0.1, ::1); use https")
    return Origin(scheme, host, port)


def _shown(url: str) -> str:
    return repr(url) if _UNSAFE_URL.search(url) else url


def is_loopback(host: str) -> bool:
    host = host.lower().rstrip(".").strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def same_host(url: str, home: str) -> bool:
    """Does ``url`` go to the origin of ``home`` (over https)? A URL that would be refused does not."""
    try:
        there, here = parse_origin(url), parse_origin(home)
    except Refused:
        return False
    return there == here and there.scheme == "https"


def key_problem(key: str) -> str:
    """Why a value cannot be sent as a key (it is then never sent), or ''. Never shows the key."""
    if not key:
        return "empty value"
    if len(key) > MAX_KEY_LENGTH:
        return f"{len(key)} characters: too long to be an API key; not sent"
    if not key.isascii():
        return "contains non-ASCII characters, which no API key has; not sent"
    if any(char.isspace() or not char.isprintable() for char in key):
        return "contains spaces or control characters, which no API key has; not sent"
    return ""


def auth_headers(auth: str, key: str) -> dict[str, str]:
    return {AUTH_HEADERS[auth]: f"Bearer {key}" if auth == "bearer" else key}


def keyed_request(
    client: httpx.AsyncClient | httpx.Client,
    method: str,
    url: str,
    *,
    base_url: str,
    auth: str,
    key: str,
    headers: dict[str, str] | None = None,
    json: Any = None,
    content: bytes | None = None,
    timeout: float | None = None,
) -> httpx.Request:
    """The request carrying ``key`` to ``url``, which must lie on ``base_url``'s origin."""
    problem = key_problem(key)
    if problem:
        raise Refused(f"the key {problem}")
    home, there = parse_origin(base_url), parse_origin(url)
    if there != home:
        raise Refused(f"{there} is not the origin of {home}; the key is only sent to {home}")
    import httpx

    extra: dict[str, Any] = {} if timeout is None else {"timeout": httpx.Timeout(timeout)}
    request = client.build_request(method, url, headers={**(headers or {}), **auth_headers(auth, key)}, json=json, content=content, **extra)
    if (request.url.scheme, request.url.host.rstrip("."), request.url.port or (443 if request.url.scheme == "https" else 80)) != (
        home.scheme, home.host, home.port,
    ):  # what httpx will really connect to, in case its parser reads the URL otherwise
        raise Refused(f"{url}: read differently by the HTTP client; the key is only sent to {home}")
    return request


async def send(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """Send without following redirects: a redirect would carry the key somewhere else. The
    response is streamed; the caller reads it with a bound and closes it."""
    return await client.send(request, stream=True, follow_redirects=False)


def client(**options: Any) -> httpx.AsyncClient:
    """An HTTP client for keyed requests: redirects off, whatever the caller passes."""
    import httpx

    return httpx.AsyncClient(**{**options, "follow_redirects": False})


def sync_client(**options: Any) -> httpx.Client:
    """A blocking client (the sweep's organisation listing, the model-map download): redirects
    off, whatever the caller passes; a request with a token is still built by ``keyed_request``."""
    import httpx

    return httpx.Client(**{**options, "follow_redirects": False})
