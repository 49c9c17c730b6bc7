"""A provider's error answer, read into a ``Failure`` (pure: no I/O).

The body's error code or type says more than the status: OpenAI answers 429 both for a rate
limit (retry) and for an empty balance (``insufficient_quota``: never retry). Codes the provider's
key check already maps (``[provider.validate] codes``/``messages``) are read the same way here.
Raw bodies are never kept (some echo the key); the message kept is scrubbed of the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from aicheck.catalog import Provider
from aicheck.resilience.retry import Failure, server_delay, should_retry_header
from aicheck.validate.classify import pluck
from aicheck.validate.result import scrub

MAX_MESSAGE = 200

# Codes and types every provider's key check knows, with what they mean for a chat call.
NO_CREDIT_CODES = ("insufficient_quota", "billing_hard_limit_reached", "credit_balance_exhausted", "*_spend_limit_exceeded",
                   "billing_error", "insufficient_balance", "payment_required")
POLICY_CODES = ("content_policy_violation", "content_filter", "moderation", "*safety*", "prohibited_content")
NO_CREDIT_WORDS = ("credit balance is too low", "insufficient balance", "insufficient credits", "insufficient credit",
                   "exceeded your current quota", "doesn't have any credits", "spending limit")
POLICY_WORDS = ("content policy", "content management policy", "flagged", "moderation", "safety system")
KEY_STATUS_KINDS = {"invalid": "invalid_key", "no_credit": "no_credit", "restricted": "forbidden", "rate_limited": "rate_limit"}

_CODE_FIELDS = ("error.code", "error.type", "error.status", "error.details[].reason", "type", "code")
_MESSAGE_FIELDS = ("error.message", "message", "error", "detail", "title")


def from_answer(status: int, headers: Mapping[str, str], document: Any, provider: Provider, key: str) -> Failure:
    """An HTTP error answer (or an error object in a 200 body) as a Failure."""
    codes = _codes(document)
    message = _message(document, key)
    kind = _by_body(codes, message, provider) or _by_status(status)
    if kind == "rate_limit" and status != 429 and _by_status(status) != "rate_limit":
        kind = _by_status(status)  # a key check's "rate_limited" code on a 5xx is still an outage
    return Failure(
        kind, message, status=status, code=codes[0] if codes else None,
        retry_after=server_delay(headers), should_retry=should_retry_header(headers),
    )


def error_in_body(document: Any) -> int | None:
    """OpenRouter's way for errors after generation began: HTTP 200 with ``{"error": {"code": 502}}``.
    Returns the status the error stands for, or None when the body is not an error."""
    if not isinstance(document, dict) or not isinstance(document.get("error"), dict):
        return None
    code = document["error"].get("code")
    return code if isinstance(code, int) and 400 <= code < 600 else 500


def _by_body(codes: list[str], message: str, provider: Provider) -> str | None:
    lowered = message.lower()
    if any(fnmatchcase(code.lower(), pattern) for code in codes for pattern in NO_CREDIT_CODES) or any(w in lowered for w in NO_CREDIT_WORDS):
        return "no_credit"
    if any(fnmatchcase(code.lower(), pattern) for code in codes for pattern in POLICY_CODES) or any(w in lowered for w in POLICY_WORDS):
        return "content_policy"
    validation = provider.validation
    for code in codes:
        status = next((name for pattern, name in validation.codes.items() if fnmatchcase(code, pattern)), None)
        if status in KEY_STATUS_KINDS:
            return KEY_STATUS_KINDS[status]
    status = next((name for words, name in validation.messages.items() if words.lower() in lowered), None)
    if status in KEY_STATUS_KINDS:
        return KEY_STATUS_KINDS[status]
    if any(code in ("API_KEY_INVALID", "invalid_api_key", "authentication_error") for code in codes):
        return "invalid_key"
    return None


def _by_status(status: int) -> str:
    if status == 401:
        return "invalid_key"
    if status == 402:
        return "no_credit"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "not_found"
    if status == 408:
        return "timeout"
    if status == 409:
        return "conflict"
    if status == 429:
        return "rate_limit"
    if status == 529:
        return "overloaded"
    if status >= 500:
        return "server"
    return "bad_request"


def _codes(document: Any) -> list[str]:
    found: list[str] = []
    for path in _CODE_FIELDS:
        value = pluck(document, path)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, (str, int)) and not isinstance(item, bool) and str(item) not in found and str(item) != "error":
                found.append(str(item))
    return found


def _message(document: Any, key: str) -> str:
    for path in _MESSAGE_FIELDS:
        value = pluck(document, path)
        if isinstance(value, str) and value.strip():
            text = " ".join(scrub(value, key).split())
            return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"
    return ""
