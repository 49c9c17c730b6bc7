"""Stand-ins for the AI providers: a real threaded HTTP server on 127.0.0.1 answering as they do.

Each provider lives under its own first path segment, so one server plays all of them at once:
``fake.base_url("openai")`` is ``http://127.0.0.1:PORT/openai/v1``, and a request to
``/openai/v1/models`` is answered as ``GET https://api.openai.com/v1/models`` would be. Paths,
auth headers, status codes, JSON error bodies and headers are copied from the providers'
documentation (shared/research/providers.md), independently of the catalog: a wrong path or
header in the catalog gets the answer the real provider would give (404, 401, 400).

Scripting::

    with FakeProviders() as fake:
        fake.answer("openai", ANSWERS["openai"]["valid"], key=key)      # this key is valid
        fake.answer("groq", Reply(503), times=1)                      # one failure, then default
        fake.answer("openai", handler, method="POST", path="/v1/chat/completions")
        ...
        fake.requests          # every request received, with the key it carried

A key nobody scripted gets the provider's answer for a wrong key, as the real one would.
Issue 6 (the fallback chain) reuses this server with ``CHAT_ROUTES`` and handlers.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

# The path prefix of each provider's real base URL (what the catalog's base_url ends with).
BASE_PATHS: dict[str, str] = {
    "openai": "/v1", "anthropic": "", "groq": "/openai/v1", "openrouter": "/api/v1", "gemini": "",
    "mistral": "/v1", "cohere": "", "together": "/v1", "fireworks": "/inference/v1", "deepseek": "",
    "xai": "/v1", "perplexity": "", "huggingface": "", "replicate": "", "cerebras": "/v1",
    "azure-openai": "",
}

# Second hosts of follow-up checks (OpenAI's data-residency regions, another Google API): their
# route, and whose answers they give to a key nobody scripted. Not in ``env()`` unless asked for,
# as AICHECK_<PROVIDER>_<NAME>_BASE_URL.
FOLLOW_UPS: dict[str, tuple[str, tuple[str, str], str]] = {
    "openai-us": ("/v1", ("GET", "/v1/models"), "openai"),
    "openai-eu": ("/v1", ("GET", "/v1/models"), "openai"),
    "google": ("", ("GET", "/language/translate/v2/languages"), "gemini"),
}

# The documented zero-cost key check of each provider: method and path on the real host.
KEY_ROUTES: dict[str, tuple[str, str]] = {
    "openai": ("GET", "/v1/models"),
    "anthropic": ("GET", "/v1/models"),
    "groq": ("GET", "/openai/v1/models"),
    "openrouter": ("GET", "/api/v1/key"),
    "gemini": ("GET", "/v1/models"),
    "mistral": ("GET", "/v1/models"),
    "cohere": ("POST", "/v1/check-api-key"),
    "together": ("GET", "/v1/models"),
    "fireworks": ("GET", "/inference/v1/models"),
    "deepseek": ("GET", "/user/balance"),
    "xai": ("GET", "/v1/api-key"),
    "huggingface": ("GET", "/api/whoami-v2"),
    "replicate": ("GET", "/v1/account"),
    "cerebras": ("GET", "/v1/models"),
    "azure-openai": ("GET", "/openai/models"),
}

# Chat endpoints (for the fallback chain tests): method and path on the real host.
CHAT_ROUTES: dict[str, tuple[str, str]] = {
    "openai": ("POST", "/v1/chat/completions"),
    "anthropic": ("POST", "/v1/messages"),
    "groq": ("POST", "/openai/v1/chat/completions"),
    "openrouter": ("POST", "/api/v1/chat/completions"),
    "gemini": ("POST", "/v1beta/openai/chat/completions"),
    "mistral": ("POST", "/v1/chat/completions"),
    "together": ("POST", "/v1/chat/completions"),
    "fireworks": ("POST", "/inference/v1/chat/completions"),
    "deepseek": ("POST", "/chat/completions"),
    "xai": ("POST", "/v1/chat/completions"),
    "cerebras": ("POST", "/v1/chat/completions"),
    "perplexity": ("POST", "/chat/completions"),
}

# Where each provider expects the key; everything else is a bearer token.
AUTH: dict[str, str] = {"anthropic": "x-api-key", "gemini": "x-goog-api-key", "azure-openai": "api-key", "google": "x-goog-api-key"}


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    body: str | bytes | None = None  # a raw body instead of JSON (HTML pages, broken JSON)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (slow servers, timeouts)
    content_type: str | None = None
    drop: bool = False  # close the connection without answering


@dataclass
class Request:
    provider: str
    method: str
    path: str  # on the real host: /v1/models
    query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    key: str | None  # the credential, from the header this provider reads

    def json(self) -> Any:
        return json.loads(self.body or b"null")


Handler = Callable[[Request], Reply]


@dataclass
class Script:
    provider: str
    reply: Reply | Handler
    key: str | None = None
    method: str | None = None
    path: str | None = None  # None: the provider's key check route
    times: int | None = None  # None: every matching request

    def matches(self, request: Request) -> bool:
        method, path = (self.method, self.path) if self.path else KEY_ROUTES.get(self.provider, (None, None))
        return (
            self.provider == request.provider
            and (self.key is None or self.key == request.key)
            and (method is None or method == request.method)
            and path == request.path
        )


class FakeProviders:
    """A real HTTP server on 127.0.0.1:0 (an ephemeral port) playing every provider."""

    def __init__(self, advertise: str = "127.0.0.1") -> None:
        self.advertise = advertise  # the host name in URLs ("localhost" makes a second origin)
        self.requests: list[Request] = []
        self._scripts: list[Script] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.advertise}:{self.port}"

    def start(self) -> FakeProviders:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeProviders:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def base_url(self, provider: str) -> str:
        base = BASE_PATHS.get(provider, FOLLOW_UPS[provider][0] if provider in FOLLOW_UPS else "")
        return f"{self.url}/{provider}{base}"

    def env(self, *providers: str) -> dict[str, str]:
        """``AICHECK_<PROVIDER>_BASE_URL`` for each provider (all known ones by default)."""
        names = providers or tuple(BASE_PATHS)
        return {f"AICHECK_{p.upper().replace('-', '_')}_BASE_URL": self.base_url(p) for p in names}

    def answer(
        self,
        provider: str,
        reply: Reply | Handler,
        *,
        key: str | None = None,
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
    ) -> None:
        """Script an answer; the latest script that matches a request wins."""
        with self._lock:
            self._scripts.append(Script(provider, reply, key, method, path, times))

    def reset(self) -> None:
        with self._lock:
            self._scripts.clear()
            self.requests.clear()

    def received(self, provider: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if provider is None or r.provider == provider]

    def keys_seen(self) -> set[str]:
        return {r.key for r in self.received() if r.key}

    # --- inside the server thread ---

    def _record(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            script = next((s for s in reversed(self._scripts) if s.matches(request)), None)
            if script is not None and script.times is not None:
                script.times -= 1
                if script.times <= 0:
                    self._scripts.remove(script)
        if script is not None:
            return script.reply(request) if callable(script.reply) else script.reply
        return default_reply(request)


def default_reply(request: Request) -> Reply:
    """What the real provider says to a request nobody scripted."""
    if request.provider in FOLLOW_UPS:
        _, route, like = FOLLOW_UPS[request.provider]
        if (request.method, request.path) == route:
            return ANSWERS[like]["invalid"]
    route = KEY_ROUTES.get(request.provider)
    if route is None or (request.method, request.path) != route:
        return Reply(404, {"error": {"message": f"Unknown request URL: {request.method} {request.path}"}})
    if request.provider == "anthropic" and "anthropic-version" not in request.headers:
        return anthropic_error(400, "invalid_request_error", "anthropic-version: header is required")
    return ANSWERS[request.provider]["invalid"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # the default 5 drops connects from 8 concurrent clients (1 s SYN retry)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up on a slow answer is expected here


def _handler_for(fake: FakeProviders) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body leave in two writes: without this, Nagle and delayed ACKs add 40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            request = self._request()
            reply = fake._record(request)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.drop:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._write(reply)

        def _request(self) -> Request:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            provider, _, rest = parts.path.lstrip("/").partition("/")
            headers = {name.lower(): value for name, value in self.headers.items()}
            return Request(provider, self.command, "/" + rest, parts.query, headers, body, _key(provider, headers))

        def _write(self, reply: Reply) -> None:
            body, content_type = _encode(reply)
            self.send_response(reply.status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    return Handler


def _key(provider: str, headers: dict[str, str]) -> str | None:
    style = AUTH.get(provider, "bearer")
    if style == "bearer":
        value = headers.get("authorization", "")
        return value[len("Bearer "):] if value.startswith("Bearer ") else None
    return headers.get(style)


def _encode(reply: Reply) -> tuple[bytes, str]:
    if reply.body is not None:
        raw = reply.body.encode() if isinstance(reply.body, str) else reply.body
        return raw, reply.content_type or "text/plain; charset=utf-8"
    if reply.json is None:
        return b"", reply.content_type or "application/json"
    return json.dumps(reply.json).encode(), reply.content_type or "application/json"


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(advertise: str = "127.0.0.1") -> Iterator[FakeProviders]:
    with FakeProviders(advertise) as fake:
        yield fake


# --- the providers' documented answers ------------------------------------------------------------


def openai_error(status: int, message: str, type_: str, code: str | None, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"error": {"message": message, "type": type_, "param": None, "code": code}}, headers=headers or {})


def anthropic_error(status: int, type_: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    body = {"type": "error", "error": {"type": type_, "message": message}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}
    return Reply(status, body, headers=headers or {})


def google_error(status: int, message: str, code_status: str, reason: str | None = None) -> Reply:
    error: dict[str, Any] = {"code": status, "message": message, "status": code_status}
    if reason:
        error["details"] = [{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com",
            "metadata": {"service": "generativelanguage.googleapis.com"},
        }]
    return Reply(status, {"error": error})


def openrouter_error(status: int, message: str, http_status: int | None = None) -> Reply:
    return Reply(http_status or status, {"error": {"code": status, "message": message}})


def model_list(*ids: str) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": i, "object": "model", "created": 1721172741, "owned_by": "system"} for i in ids]}


OPENAI_HEADERS = {
    "openai-organization": "acme-prod-x1y2z3", "openai-project": "proj_5mJVb0pY", "x-request-id": "req_9f8e7d6c",
    "x-ratelimit-limit-requests": "10000", "x-ratelimit-remaining-requests": "9999", "x-ratelimit-reset-requests": "6ms",
    "x-ratelimit-limit-tokens": "30000000", "x-ratelimit-remaining-tokens": "29999990", "x-ratelimit-reset-tokens": "0s",
}
ANTHROPIC_HEADERS = {
    "anthropic-organization-id": "1f2e3d4c-5b6a-4789-90ab-cdef01234567", "request-id": "req_011CSHoEeqs5C35K2UUqR7Fy",
    "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49",
    "anthropic-ratelimit-requests-reset": "2025-06-01T12:00:01Z",
    "anthropic-ratelimit-tokens-limit": "40000", "anthropic-ratelimit-tokens-remaining": "40000",
    "anthropic-ratelimit-tokens-reset": "2025-06-01T12:00:00Z",
}
GROQ_HEADERS = {
    "x-ratelimit-limit-requests": "14400", "x-ratelimit-remaining-requests": "14370", "x-ratelimit-reset-requests": "2m59.56s",
    "x-ratelimit-limit-tokens": "18000", "x-ratelimit-remaining-tokens": "17997", "x-ratelimit-reset-tokens": "7.66s",
}
CEREBRAS_HEADERS = {
    "x-ratelimit-limit-requests-day": "14400", "x-ratelimit-remaining-requests-day": "14399",
    "x-ratelimit-reset-requests-day": "33011.38", "x-ratelimit-limit-tokens-minute": "60000",
    "x-ratelimit-remaining-tokens-minute": "60000", "x-ratelimit-reset-tokens-minute": "11.38",
}
XAI_KEY_INFO = {
    "redacted_api_key": "xai-...b14o", "user_id": "59fbe5f2-040b-46d5-8325-868bb8f23eb2", "name": "ci-key",
    "create_time": "2024-01-01T12:55:18.139305Z", "modify_time": "2024-08-28T17:20:12.343321Z",
    "modified_by": "3d38b4dc-4eb7-4785-ae26-c3fa8997ffc7", "team_id": "5ea6f6bd-7815-4b8a-9135-28b2d7ba6722",
    "acls": ["api-key:model:*", "api-key:endpoint:*"], "api_key_id": "ae1e1841-4326-4b36-a8a9-8a1a7237db11",
    "team_blocked": False, "api_key_blocked": False, "api_key_disabled": False,
}
OPENROUTER_KEY = {
    "label": "sk-or-v1-0e6...1c3", "limit": 10, "limit_remaining": 7.5, "limit_reset": None,
    "include_byok_in_limit": False, "usage": 2.5, "usage_daily": 0.5, "usage_weekly": 1.5, "usage_monthly": 2.5,
    "is_free_tier": False, "is_provisioning_key": False, "expires_at": None,
}
OVERLOADED = Reply(503, {"error": {"message": "The server is overloaded or not ready yet.", "type": "server_error", "code": None}})

def openai_wrong_region(region: str) -> Reply:
    """A data-residency project's key on the wrong host (agent-ecosystem/skill-validator#70)."""
    message = f"Attempted to access resource with incorrect regional hostname. Please make your request to {region}.api.openai.com"
    return openai_error(401, message, "invalid_request_error", "incorrect_hostname")


OPENAI_ADMIN_KEYS = {
    "object": "list", "has_more": False, "first_id": "key_abc", "last_id": "key_abc",
    "data": [{"object": "organization.admin_api_key", "id": "key_abc", "name": "Main Admin Key", "redacted_value": "sk-admin...xyz",
              "created_at": 1711471533, "owner": {"type": "user", "object": "organization.user", "id": "user_123", "name": "Ada", "role": "owner"}}],
}
ANTHROPIC_ORG = {"id": "12345678-1234-5678-1234-567812345678", "type": "organization", "name": "Acme Labs"}

# provider -> answer name -> reply. The name before ':' is the key status aicheck must conclude.
ANSWERS: dict[str, dict[str, Reply]] = {
    "openai": {
        "valid": Reply(200, model_list("gpt-4o-mini", "gpt-4o", "o3-mini"), headers=OPENAI_HEADERS),
        "invalid": openai_error(401, "Incorrect API key provided: sk-proj-********************1a2B. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"),
        "no_credit": openai_error(429, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota"),
        "no_credit:spend-limit": openai_error(429, "You have hit your monthly spend limit.", "insufficient_quota", "project_spend_limit_exceeded"),
        "rate_limited": openai_error(429, "Rate limit reached for requests", "requests", "rate_limit_exceeded", {"retry-after": "20", "x-ratelimit-remaining-requests": "0"}),
        "restricted": openai_error(403, "Country, region, or territory not supported", "request_forbidden", "unsupported_country_region_territory"),
        # A restricted key without the Models read scope (microsoft/PowerToys#32989 shows the body shape).
        "restricted:missing-scope": openai_error(401, "You have insufficient permissions for this operation. Missing scopes: model.read. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.", "invalid_request_error", None),
        "unreachable": OVERLOADED,
    },
    "anthropic": {
        "valid": Reply(200, {
            "data": [
                {"type": "model", "id": "claude-sonnet-4-20250514", "display_name": "Claude Sonnet 4", "created_at": "2025-05-22T00:00:00Z"},
                {"type": "model", "id": "claude-3-5-haiku-20241022", "display_name": "Claude Haiku 3.5", "created_at": "2024-10-22T00:00:00Z"},
            ],
            "has_more": False, "first_id": "claude-sonnet-4-20250514", "last_id": "claude-3-5-haiku-20241022",
        }, headers=ANTHROPIC_HEADERS),
        "invalid": anthropic_error(401, "authentication_error", "invalid x-api-key"),
        "no_credit": anthropic_error(402, "billing_error", "Your account has a billing issue."),
        "no_credit:low-balance": anthropic_error(400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."),
        "restricted": anthropic_error(403, "permission_error", "Your API key does not have permission to use the specified resource."),
        "restricted:org-disabled": anthropic_error(400, "invalid_request_error", "This organization has been disabled."),
        "rate_limited": anthropic_error(429, "rate_limit_error", "Number of requests has exceeded your per-minute rate limit", {"retry-after": "15"}),
        "unreachable": anthropic_error(529, "overloaded_error", "Overloaded"),
        "unreachable:500": anthropic_error(500, "api_error", "Internal server error"),
    },
    "groq": {
        "valid": Reply(200, model_list("llama-3.3-70b-versatile", "llama-3.1-8b-instant"), headers=GROQ_HEADERS),
        "invalid": openai_error(401, "Invalid API Key", "invalid_request_error", "invalid_api_key"),
        "restricted": openai_error(403, "Organization has been restricted. Please reach out to support if you believe this was in error.", "invalid_request_error", "organization_restricted"),
        "rate_limited": openai_error(429, "Rate limit reached for model `llama-3.3-70b-versatile` on requests per day (RPD)", "requests", "rate_limit_exceeded", {"retry-after": "2"}),
        "unreachable": Reply(503, {"error": {"message": "Service Unavailable", "type": "internal_server_error"}}),
    },
    "openrouter": {
        "valid": Reply(200, {"data": OPENROUTER_KEY}),
        "valid:unlimited": Reply(200, {"data": {**OPENROUTER_KEY, "limit": None, "limit_remaining": None, "is_free_tier": True}}),
        "no_credit": Reply(200, {"data": {**OPENROUTER_KEY, "limit_remaining": 0, "usage": 10}}),
        "no_credit:402": openrouter_error(402, "Insufficient credits. Add more using https://openrouter.ai/credits"),
        "restricted:provisioning": Reply(200, {"data": {**OPENROUTER_KEY, "is_provisioning_key": True, "limit": None, "limit_remaining": None}}),
        "invalid": openrouter_error(401, "User not found."),
        "invalid:in-body": openrouter_error(401, "User not found.", http_status=200),
        "restricted": openrouter_error(403, "Your key has been disabled by its owner"),
        "rate_limited": openrouter_error(429, "Rate limit exceeded: free-models-per-day", None),
        "unreachable": openrouter_error(503, "No available provider"),
        "unreachable:in-body": openrouter_error(502, "Provider returned error", http_status=200),
    },
    "gemini": {
        "valid": Reply(200, {"models": [
            {"name": "models/gemini-2.0-flash", "version": "2.0", "displayName": "Gemini 2.0 Flash"},
            {"name": "models/gemini-1.5-pro", "version": "001", "displayName": "Gemini 1.5 Pro"},
        ]}),
        "invalid": google_error(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT", "API_KEY_INVALID"),
        "restricted": google_error(403, "Your API key was reported as leaked. Please use another API key.", "PERMISSION_DENIED"),
        "restricted:not-enabled": google_error(403, "Generative Language API has not been used in project 123 before or it is disabled.", "PERMISSION_DENIED", "SERVICE_DISABLED"),
        "restricted:region": google_error(400, "User location is not supported for the API use.", "FAILED_PRECONDITION"),
        "rate_limited": google_error(429, "Resource has been exhausted (e.g. check quota).", "RESOURCE_EXHAUSTED"),
        "unreachable": google_error(503, "The model is overloaded. Please try again later.", "UNAVAILABLE"),
    },
    "mistral": {
        "valid": Reply(200, model_list("mistral-large-latest", "mistral-small-latest")),
        "invalid": Reply(401, {"message": "Unauthorized", "request_id": "3d1b8c6a0f"}),
        "invalid:detail": Reply(401, {"detail": "Unauthorized"}),
        "restricted": Reply(403, {"object": "error", "message": "You do not have access to this resource", "type": "forbidden", "code": "3003"}),
        "rate_limited": Reply(429, {"object": "error", "message": "Requests rate limit exceeded", "type": "rate_limited", "code": "1300"}),
        "unreachable": Reply(503, {"object": "error", "message": "Service unavailable", "type": "internal_server_error"}),
    },
    "cohere": {
        "valid": Reply(200, {"valid": True, "organization_id": "8b7c6d5e-acme", "owner_id": "1a2b3c4d-owner"}),
        "invalid": Reply(401, {"message": "invalid api token"}),
        "invalid:valid-false": Reply(200, {"valid": False, "organization_id": None, "owner_id": None}),
        "rate_limited": Reply(429, {"message": "You are using a Trial key, which is limited to 10 API calls / minute."}),
        "unreachable": Reply(500, {"message": "internal server error"}),
    },
    "together": {
        "valid": Reply(200, [
            {"id": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "object": "model", "type": "chat", "display_name": "Llama 3.3 70B"},
            {"id": "deepseek-ai/DeepSeek-V3", "object": "model", "type": "chat", "display_name": "DeepSeek V3"},
        ]),
        "invalid": openai_error(401, "Invalid API key provided. You can find your API key at https://api.together.xyz/settings/api-keys.", "invalid_request_error", "invalid_api_key"),
        "no_credit": openai_error(402, "Credit limit exceeded. Please navigate to https://api.together.xyz/settings/billing to add credit.", "credit_limit", None),
        "rate_limited": openai_error(429, "You have reached the rate limit specific to this model.", "model_rate_limit", None),
        "unreachable": OVERLOADED,
    },
    "fireworks": {
        "valid": Reply(200, model_list("accounts/fireworks/models/llama-v3p1-8b-instruct")),
        "invalid": Reply(401, {"error": {"object": "error", "type": "invalid_request_error", "message": "The API key you provided is invalid."}}),
        "no_credit": Reply(402, {"error": {"object": "error", "type": "invalid_request_error", "message": "Account is suspended, possibly due to reaching the monthly spending limit."}}),
        # pollinations/pollinations#12136 quotes this body from api.fireworks.ai.
        "no_credit:412": Reply(412, {"error": {"message": "Account acme is suspended, possibly due to reaching the monthly spending limit or failure to pay past invoices. Please go to https://fireworks.ai/account/billing for more information.", "param": None, "code": "PRECONDITION_FAILED", "type": "error"}}),
        "restricted:403": Reply(403, {"error": {"object": "error", "type": "invalid_request_error", "message": "Forbidden"}}),
        "rate_limited": Reply(429, {"error": {"object": "error", "type": "rate_limit_error", "message": "Request rate limit exceeded"}}),
        "unreachable": Reply(503, {"error": {"object": "error", "type": "internal_server_error", "message": "Service unavailable"}}),
    },
    "deepseek": {
        "valid": Reply(200, {"is_available": True, "balance_infos": [{"currency": "CNY", "total_balance": "110.00", "granted_balance": "10.00", "topped_up_balance": "100.00"}]}),
        "no_credit": Reply(200, {"is_available": False, "balance_infos": [{"currency": "CNY", "total_balance": "0.00", "granted_balance": "0.00", "topped_up_balance": "0.00"}]}),
        "no_credit:402": openai_error(402, "Insufficient Balance", "unknown_error", "invalid_request_error"),
        "invalid": openai_error(401, "Authentication Fails, Your api key: ****1a2B is invalid", "authentication_error", "invalid_request_error"),
        "rate_limited": openai_error(429, "Rate Limit Reached", "rate_limit_error", None),
        "unreachable": openai_error(503, "Server overloaded, please try again later", "server_error", None),
    },
    "xai": {
        "valid": Reply(200, XAI_KEY_INFO),
        "restricted": Reply(200, {**XAI_KEY_INFO, "api_key_blocked": True}),
        "restricted:disabled": Reply(200, {**XAI_KEY_INFO, "api_key_disabled": True}),
        "restricted:team": Reply(200, {**XAI_KEY_INFO, "team_blocked": True}),
        "invalid": Reply(400, {"code": "Client specified an invalid argument", "error": "Incorrect API key provided: xa***4o. You can obtain an API key from https://console.x.ai."}),
        "no_credit": Reply(403, {"code": "The caller does not have permission to execute the specified operation", "error": "Your newly created teams doesn't have any credits yet. You can purchase credits on https://console.x.ai."}),
        "rate_limited": Reply(429, {"code": "Some resource has been exhausted", "error": "Too many requests"}),
        "unreachable": Reply(503, {"code": "The service is currently unavailable", "error": "Service unavailable"}),
    },
    "huggingface": {
        "valid": Reply(200, {
            "type": "user", "id": "6450a1b2c3d4e5f6a7b8c9d0", "name": "octocat", "fullname": "Octo Cat",
            "orgs": [{"type": "org", "name": "acme-ml"}],
            "auth": {"type": "access_token", "accessToken": {"displayName": "ci", "role": "read", "createdAt": "2025-01-01T00:00:00.000Z"}},
        }),
        "invalid": Reply(401, {"error": "Invalid credentials in Authorization header"}),
        "rate_limited": Reply(429, {"error": "You have exceeded our hourly quotas for action: api."}),
        "unreachable": Reply(503, body="<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", content_type="text/html"),
    },
    "replicate": {
        "valid": Reply(200, {"type": "organization", "username": "acme", "name": "Acme Inc", "github_url": None}),
        "invalid": Reply(401, {"title": "Unauthenticated", "detail": "You did not pass a valid authentication token", "status": 401}),
        "no_credit": Reply(402, {"title": "Insufficient credit", "detail": "You have insufficient credit to run this model. Go to https://replicate.com/account/billing to purchase credit.", "status": 402}),
        "rate_limited": Reply(429, {"title": "Request was throttled", "detail": "Request was throttled. Expected available in 1 second.", "status": 429}),
        "unreachable": Reply(500, {"title": "Internal server error", "status": 500}),
    },
    "cerebras": {
        "valid": Reply(200, model_list("llama3.1-8b", "llama-3.3-70b"), headers=CEREBRAS_HEADERS),
        "invalid": Reply(401, {"message": "Wrong API Key", "type": "invalid_request_error", "param": "api_key", "code": "wrong_api_key"}),
        "rate_limited": Reply(429, {"message": "Requests per minute limit exceeded", "type": "too_many_requests_error", "param": "quota", "code": "request_quota_exceeded"}),
        "unreachable": Reply(503, {"message": "Service unavailable", "type": "service_unavailable_error"}),
    },
    "azure-openai": {
        "valid": Reply(200, {"object": "list", "data": [
            {"id": "gpt-4o-mini", "status": "succeeded", "object": "model", "lifecycle_status": "generally-available"},
            {"id": "text-embedding-3-small", "status": "succeeded", "object": "model", "lifecycle_status": "generally-available"},
        ]}),
        "invalid": Reply(401, {"error": {"code": "401", "message": "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}),
        "restricted": Reply(403, {"error": {"code": "403", "message": "Public access is disabled. Please configure private endpoint."}}),
        "rate_limited": Reply(429, {"error": {"code": "429", "message": "Requests to the Models_List Operation have exceeded call rate limit."}}, headers={"retry-after": "1"}),
        "unreachable": Reply(503, {"error": {"code": "ServiceUnavailable", "message": "The service is temporarily unable to process your request."}}),
    },
}
