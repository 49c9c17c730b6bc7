"""Streamed answers: server-sent events read into the same ``Parsed`` as a whole answer.

``Events`` splits lines into events (``event:``/``data:`` fields, a blank line ends one, ``:``
lines are comments: OpenRouter sends ``: OPENROUTER PROCESSING`` while it waits). ``Stream``
gathers text, usage and the end marker of each style: ``data: [DONE]`` (OpenAI), ``message_stop``
(Anthropic), a ``finishReason`` (Gemini). A stream that ends before its end marker was cut: that
is a failure (``stream_cut``), however much text came first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aicheck.catalog import Chat, Provider
from aicheck.chain import errors, styles
from aicheck.chain.styles import Parsed
from aicheck.resilience.retry import CallFailed, Failure
from aicheck.validate.classify import pluck

ANTHROPIC_ERROR_STATUS = {"overloaded_error": 529, "api_error": 500, "rate_limit_error": 429, "authentication_error": 401,
                          "permission_error": 403, "billing_error": 402, "invalid_request_error": 400, "not_found_error": 404}


@dataclass
class Events:
    """Server-sent events from lines, one ``(event, data)`` per dispatch."""

    _event: str = ""
    _data: list[str] = field(default_factory=list)

    def feed(self, line: str) -> tuple[str, str] | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        return None

    def flush(self) -> tuple[str, str] | None:
        return self._dispatch()

    def _dispatch(self) -> tuple[str, str] | None:
        if not self._data:
            self._event = ""
            return None
        event = (self._event or "message", "\n".join(self._data))
        self._event, self._data = "", []
        return event


class Stream:
    """One streamed answer, fed event by event."""

    def __init__(self, chat: Chat, provider: Provider, key: str) -> None:
        self.chat, self.provider, self._key = chat, provider, key
        self.parts: list[str] = []
        self.done = False
        self.finish_reason: str | None = None
        self.model: str | None = None
        self._usage: dict[str, Any] = {}  # the usage document, merged from the chunks that carry it
        self._cost: float | None = None

    def feed(self, event: str, data: str) -> str:
        """Take one event; returns the text it adds ("" for none). CallFailed on an error event."""
        if data.strip() == "[DONE]":
            self.done = True
            return ""
        try:
            document = json.loads(data)
        except (ValueError, RecursionError):
            raise CallFailed(Failure("malformed", "a streamed event is not JSON", status=200)) from None
        if not isinstance(document, dict):
            raise CallFailed(Failure("malformed", "a streamed event is not a JSON object", status=200))
        self._error(event, document)
        return _READERS[self.chat.style](self, event, document)

    def result(self) -> Parsed:
        if not self.done and self.chat.style == "openai" and self.finish_reason:
            self.done = True  # a gateway that closes after the last choice without [DONE]
        if not self.done:
            raise CallFailed(Failure("stream_cut", "the stream ended before its end marker", status=200))
        parsed = Parsed("".join(self.parts), styles.tokens(self.chat, self._usage), self._cost, self.finish_reason, self.model)
        styles.refused(parsed, {})
        return parsed

    def _error(self, event: str, document: dict[str, Any]) -> None:
        if event == "error" or document.get("type") == "error":
            kind = str(pluck(document, "error.type") or "")
            raise CallFailed(errors.from_answer(ANTHROPIC_ERROR_STATUS.get(kind, 500), {}, document, self.provider, self._key))
        status = errors.error_in_body(document)
        if status is not None:
            raise CallFailed(errors.from_answer(status, {}, document, self.provider, self._key))

    def _take_usage(self, document: Any) -> None:
        for name in ("input", "output", "cached"):
            path = getattr(self.chat.usage, name)
            value = pluck(document, path)
            if isinstance(value, int) and not isinstance(value, bool):
                _put(self._usage, path, value)
        cost = styles.reported_cost(self.chat, document)
        self._cost = cost if cost is not None else self._cost


def _put(document: dict[str, Any], path: str, value: Any) -> None:
    *heads, last = path.split(".")
    node = document
    for head in heads:
        node = node.setdefault(head, {})
    node[last] = value


def _openai(stream: Stream, event: str, document: dict[str, Any]) -> str:
    stream.model = stream.model or (document.get("model") if isinstance(document.get("model"), str) else None)
    stream._take_usage(document)
    choices = document.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return ""
    if choices[0].get("finish_reason"):
        stream.finish_reason = str(choices[0]["finish_reason"])
    text = pluck(choices[0], "delta.content")
    if isinstance(text, str):
        stream.parts.append(text)
        return text
    return ""


def _anthropic(stream: Stream, event: str, document: dict[str, Any]) -> str:
    kind = document.get("type", event)
    if kind == "message_start":
        message = document.get("message", {})
        stream.model = message.get("model") if isinstance(message, dict) else None
        stream._take_usage(message)
    elif kind == "message_delta":
        stream._take_usage(document)
        stream.finish_reason = pluck(document, "delta.stop_reason") or stream.finish_reason
    elif kind == "message_stop":
        stream.done = True
    elif kind == "content_block_delta" and pluck(document, "delta.type") == "text_delta":
        text = str(pluck(document, "delta.text") or "")
        stream.parts.append(text)
        return text
    return ""


def _gemini(stream: Stream, event: str, document: dict[str, Any]) -> str:
    stream._take_usage(document)
    stream.model = stream.model or document.get("modelVersion")
    text, finish = styles._TEXT["gemini"](document)
    if finish or pluck(document, "promptFeedback.blockReason"):
        stream.finish_reason = finish or str(pluck(document, "promptFeedback.blockReason"))
        stream.done = True
    if text:
        stream.parts.append(text)
    return text or ""


_READERS = {"openai": _openai, "anthropic": _anthropic, "gemini": _gemini}
