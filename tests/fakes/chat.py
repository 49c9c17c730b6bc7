"""Chat endpoints standing in for the providers: a real threaded HTTP server on 127.0.0.1:0.

Each provider of a test's chain lives under its own first path segment, so one server plays them
all: ``fake.base_url("groq")`` is ``http://127.0.0.1:PORT/groq``, and the API style is read from
the rest of the path, as the real endpoints have it:

- ``…/chat/completions``: OpenAI-compatible (OpenAI, Groq, OpenRouter, any gateway);
- ``…/v1/messages``: Anthropic Messages;
- ``…/v1beta/models/{model}:generateContent`` / ``:streamGenerateContent?alt=sse``: Gemini.

Answers, error bodies, status codes and headers follow the providers' documentation
(shared/research/providers.md). Unscripted requests get a success in the request's style, streamed
(SSE) when the request asks for it. Faults are scripted per provider, in order::

    fake.script("groq", unavailable(), unavailable())   # 503 twice, then the default answer
    fake.script("groq", rate_limited(retry_after="1"))
    fake.always("groq", hang(5))                         # every request
    fake.requests("groq")                                # the log, with monotonic timestamps
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEFAULT_TEXT = "pong"
USAGE = (12, 3)  # input, output tokens of a default answer
OPENAI_LIMITS = {
    "x-ratelimit-limit-requests": "14400", "x-ratelimit-remaining-requests": "14370", "x-ratelimit-reset-requests": "2m59.56s",
    "x-ratelimit-limit-tokens": "18000", "x-ratelimit-remaining-tokens": "17997", "x-ratelimit-reset-tokens": "7.66s",
}
ANTHROPIC_LIMITS = {
    "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49",
    "anthropic-ratelimit-requests-reset": "2025-06-01T12:00:01Z",
}


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    body: str | bytes | None = None  # raw body instead of JSON (broken JSON, HTML)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    events: list[str] | None = None  # an SSE stream: each item one event block ("data: ...\n\n")
    event_delay: float = 0.0  # seconds between events
    cut_after: int | None = None  # close the connection after this many events, unfinished
    drop: bool = False  # close without answering


@dataclass
class Request:
    at: float  # time.monotonic() when the request arrived
    name: str  # the provider (first path segment)
    style: str  # openai, anthropic, gemini or unknown
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    key: str | None

    @property
    def stream(self) -> bool:
        return bool(isinstance(self.body, dict) and self.body.get("stream")) or self.path.endswith(":streamGenerateContent")

    @property
    def model(self) -> str:
        if self.style == "gemini":
            return self.path.rsplit("/", 1)[-1].split(":")[0]
        return str(self.body.get("model", "")) if isinstance(self.body, dict) else ""


Fault = Callable[[Request], Reply]


class FakeChat:
    def __init__(self) -> None:
        self.log: list[Request] = []
        self.text: dict[str, str] = {}  # provider -> the default answer's text
        self.cost: dict[str, float] = {}  # provider -> usage.cost in default answers (OpenRouter)
        self._queues: dict[str, list[Reply | Fault]] = {}
        self._always: dict[str, Reply | Fault] = {}
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def base_url(self, name: str) -> str:
        return f"{self.url}/{name}"

    def __enter__(self) -> FakeChat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, name: str, *replies: Reply | Fault) -> None:
        with self._lock:
            self._queues.setdefault(name, []).extend(replies)

    def always(self, name: str, reply: Reply | Fault) -> None:
        with self._lock:
            self._always[name] = reply

    def reset(self) -> None:
        with self._lock:
            self.log.clear()
            self._queues.clear()
            self._always.clear()
            self.text.clear()
            self.cost.clear()

    def requests(self, name: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.log if name is None or r.name == name]

    def _reply(self, request: Request) -> Reply:
        with self._lock:
            self.log.append(request)
            queue = self._queues.get(request.name)
            scripted = queue.pop(0) if queue else self._always.get(request.name)
        if scripted is None:
            return success(request, self.text.get(request.name, DEFAULT_TEXT), self.cost.get(request.name))
        return scripted(request) if callable(scripted) else scripted


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up on a slow answer


def _handler(fake: FakeChat) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            request = self._request()
            reply = fake._reply(request)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.drop:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if reply.events is not None:
                self._stream(reply)
            else:
                self._write(reply)

        do_GET = do_POST

        def _request(self) -> Request:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            name, _, rest = parts.path.lstrip("/").partition("/")
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = None
            return Request(time.monotonic(), name, _style("/" + rest), "/" + rest, parse_qs(parts.query), headers, body, _key(headers))

        def _write(self, reply: Reply) -> None:
            body = reply.body if reply.body is not None else json.dumps(reply.json)
            data = body.encode() if isinstance(body, str) else body
            self.send_response(reply.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, reply: Reply) -> None:
            self.send_response(reply.status)
            self.send_header("content-type", "text/event-stream")
            self.send_header("transfer-encoding", "chunked")
            self.send_header("cache-control", "no-cache")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            for index, event in enumerate(reply.events or []):
                if reply.cut_after is not None and index >= reply.cut_after:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                data = event.encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
                if reply.event_delay:
                    time.sleep(reply.event_delay)
            self.wfile.write(b"0\r\n\r\n")

    return Handler


def _style(path: str) -> str:
    if path.endswith("/chat/completions"):
        return "openai"
    if path.endswith("/v1/messages"):
        return "anthropic"
    if ":generateContent" in path or ":streamGenerateContent" in path:
        return "gemini"
    return "unknown"


def _key(headers: dict[str, str]) -> str | None:
    bearer = headers.get("authorization", "")
    if bearer.startswith("Bearer "):
        return bearer[len("Bearer "):]
    return headers.get("x-api-key") or headers.get("x-goog-api-key") or headers.get("api-key")


# --- answers in each style -------------------------------------------------------------------


def success(request: Request, text: str = DEFAULT_TEXT, cost: float | None = None, event_delay: float = 0.0) -> Reply:
    """The provider's answer to this request, streamed when the request asks for it."""
    if request.style == "anthropic":
        return Reply(events=anthropic_events(text, request.model), headers=ANTHROPIC_LIMITS, event_delay=event_delay) if request.stream \
            else Reply(json=anthropic_answer(text, request.model), headers=ANTHROPIC_LIMITS)
    if request.style == "gemini":
        return Reply(events=gemini_events(text, request.model), event_delay=event_delay) if request.stream \
            else Reply(json=gemini_answer(text, request.model))
    if request.style == "openai":
        return Reply(events=openai_events(text, request.model, cost), headers=OPENAI_LIMITS, event_delay=event_delay) if request.stream \
            else Reply(json=openai_answer(text, request.model, cost), headers=OPENAI_LIMITS)
    return Reply(404, {"error": {"message": f"Unknown request URL: POST {request.path}"}})


def openai_answer(text: str, model: str, cost: float | None = None, finish_reason: str = "stop") -> dict[str, Any]:
    usage: dict[str, Any] = {"prompt_tokens": USAGE[0], "completion_tokens": USAGE[1], "total_tokens": sum(USAGE),
                             "prompt_tokens_details": {"cached_tokens": 0}}
    if cost is not None:
        usage["cost"] = cost
    return {
        "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "object": "chat.completion", "created": 1741569952, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None}, "logprobs": None, "finish_reason": finish_reason}],
        "usage": usage, "system_fingerprint": "fp_06737a9306",
    }


def openai_events(text: str, model: str, cost: float | None = None) -> list[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None, usage: dict[str, Any] | None = None) -> str:
        body: dict[str, Any] = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1741569952, "model": model,
                                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}] if usage is None else []}
        if usage is not None:
            body["usage"] = usage
        return f"data: {json.dumps(body)}\n\n"

    usage: dict[str, Any] = {"prompt_tokens": USAGE[0], "completion_tokens": USAGE[1], "total_tokens": sum(USAGE)}
    if cost is not None:
        usage["cost"] = cost
    words = _pieces(text)
    return [": OPENROUTER PROCESSING\n\n", chunk({"role": "assistant", "content": ""}), *(chunk({"content": w}) for w in words),
            chunk({}, "stop"), chunk({}, usage=usage), "data: [DONE]\n\n"]


def anthropic_answer(text: str, model: str, stop_reason: str = "end_turn") -> dict[str, Any]:
    return {
        "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF", "type": "message", "role": "assistant", "model": model,
        "content": [{"type": "text", "text": text}], "stop_reason": stop_reason, "stop_sequence": None,
        "usage": {"input_tokens": USAGE[0], "output_tokens": USAGE[1], "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0},
    }


def anthropic_events(text: str, model: str) -> list[str]:
    def event(name: str, body: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {json.dumps({'type': name, **body})}\n\n"

    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": model, "content": [], "stop_reason": None,
               "usage": {"input_tokens": USAGE[0], "output_tokens": 1}}
    return [
        event("message_start", {"message": message}),
        event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
        event("ping", {}),
        *(event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": w}}) for w in _pieces(text)),
        event("content_block_stop", {"index": 0}),
        event("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": USAGE[1]}}),
        event("message_stop", {}),
    ]


def gemini_answer(text: str, model: str, finish: str = "STOP") -> dict[str, Any]:
    return {
        "candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": finish, "index": 0}],
        "usageMetadata": {"promptTokenCount": USAGE[0], "candidatesTokenCount": USAGE[1], "totalTokenCount": sum(USAGE)},
        "modelVersion": model,
    }


def gemini_events(text: str, model: str) -> list[str]:
    pieces = _pieces(text)
    events = []
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        body: dict[str, Any] = {"candidates": [{"content": {"parts": [{"text": piece}], "role": "model"}, "index": 0,
                                                **({"finishReason": "STOP"} if last else {})}],
                                "usageMetadata": {"promptTokenCount": USAGE[0], "candidatesTokenCount": index + 1 if not last else USAGE[1]},
                                "modelVersion": model}
        events.append(f"data: {json.dumps(body)}\r\n\r\n")
    return events


def _pieces(text: str) -> list[str]:
    """The text in a few streamed pieces."""
    size = max(1, len(text) // 3)
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


# --- faults --------------------------------------------------------------------------------------


def _error(request: Request, status: int, openai: tuple[str, str, str | None], anthropic: tuple[str, str], gemini: tuple[str, str],
           headers: dict[str, str] | None = None) -> Reply:
    if request.style == "anthropic":
        body: dict[str, Any] = {"type": "error", "error": {"type": anthropic[0], "message": anthropic[1]}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}
    elif request.style == "gemini":
        body = {"error": {"code": status, "message": gemini[1], "status": gemini[0]}}
    else:
        body = {"error": {"message": openai[0], "type": openai[1], "param": None, "code": openai[2]}}
    return Reply(status, body, headers=headers or {})


def rate_limited(retry_after: str | None = "1", retry_after_ms: str | None = None) -> Fault:
    headers = {"x-ratelimit-remaining-requests": "0"}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    if retry_after_ms is not None:
        headers["retry-after-ms"] = retry_after_ms
    return lambda r: _error(r, 429, ("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
                            ("rate_limit_error", "Number of requests has exceeded your per-minute rate limit"),
                            ("RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."), headers)


def unavailable(status: int = 503) -> Fault:
    return lambda r: _error(r, status, ("The server is overloaded or not ready yet.", "server_error", None),
                            ("api_error", "Internal server error"), ("UNAVAILABLE", "The model is overloaded. Please try again later."))


def overloaded() -> Fault:
    return lambda r: _error(r, 529, ("Overloaded", "server_error", None), ("overloaded_error", "Overloaded"), ("UNAVAILABLE", "Overloaded"))


def unauthorized() -> Fault:
    return lambda r: _error(r, 401, ("Incorrect API key provided: sk-proj-****1a2B.", "invalid_request_error", "invalid_api_key"),
                            ("authentication_error", "invalid x-api-key"), ("UNAUTHENTICATED", "API key not valid."))


def insufficient_quota() -> Fault:
    """OpenAI's empty balance: a 429 that no retry will fix."""
    return lambda r: _error(r, 429, ("You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota"),
                            ("billing_error", "Your credit balance is too low"), ("RESOURCE_EXHAUSTED", "quota"))


def payment_required() -> Fault:
    """402: OpenRouter's "Insufficient credits", Anthropic's billing_error."""
    def reply(r: Request) -> Reply:
        if r.style == "anthropic":
            return _error(r, 402, ("", "", None), ("billing_error", "Your account has a billing issue."), ("", ""))
        return Reply(402, {"error": {"code": 402, "message": "Insufficient credits. Add more using https://openrouter.ai/credits"}})
    return reply


def malformed() -> Fault:
    return lambda r: Reply(200, body='{"id": "chatcmpl-1", "choices": [{"message": {"content": "po')


def sse_cut(after: int = 3) -> Fault:
    """A stream that starts, sends ``after`` events, and breaks off before its end."""
    def reply(r: Request) -> Reply:
        answer = success(r, "a much longer answer that never finishes")
        answer.cut_after = after
        return answer
    return reply


def error_in_200(code: int = 502) -> Fault:
    """OpenRouter: an upstream error after generation began arrives as HTTP 200 with an error object."""
    return lambda r: Reply(200, {"error": {"code": code, "message": "Provider returned error",
                                           "metadata": {"provider_name": "Lambda", "raw": "upstream connect error"}}})


def content_filter() -> Fault:
    return lambda r: Reply(200, openai_answer("", r.model, finish_reason="content_filter"))


def slow(seconds: float, text: str = DEFAULT_TEXT) -> Fault:
    """A success that takes ``seconds``."""
    def reply(r: Request) -> Reply:
        answer = success(r, text)
        answer.delay = seconds
        return answer
    return reply


def hang(seconds: float) -> Fault:
    """No answer for ``seconds`` (then a normal one, long after the client gave up)."""
    return slow(seconds)
