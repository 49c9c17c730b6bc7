"""A provider's answer to a key check, read into a key status (pure: no I/O).

The provider's own message and the HTTP status are kept as the detail; a raw body never is,
since some providers echo the key in it, and the key is scrubbed from whatever is kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from aicheck.catalog import Validation
from aicheck.validate.result import scrub, scrub_value

MAX_MESSAGE = 300
_NOT_JSON = object()
_LIMIT_FIELDS = ("limit", "remaining", "reset")


@dataclass(frozen=True)
class Verdict:
    status: str
    detail: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    models: tuple[str, ...] | None = None  # the model ids the answer lists, if it lists them
    transient: bool = False  # another attempt may answer differently (5xx, 529, timeouts)
    codes: tuple[str, ...] = ()  # error codes and reasons the answer carried (incorrect_hostname, API_KEY_INVALID)
    message: str = ""  # the provider's own message, unscrubbed (for follow-ups; never shown as is)


def is_transient(http_status: int) -> bool:
    """Worth a retry: a timeout, a conflict, an overloaded or failing server (incl. 529)."""
    return http_status in (408, 409, 425) or http_status >= 500


def read_answer(
    validation: Validation, http_status: int, headers: Mapping[str, str], body: bytes, key: str, redacted: str
) -> Verdict:
    document = scrub_value(_json(body), key, redacted)  # scrubbed before any message is cut short
    if 200 <= http_status < 300:
        verdict = _success(validation, headers, document)
    else:
        verdict = _failure(validation, http_status, headers, document)
    codes = _codes(validation, document) if document is not _NOT_JSON else []
    return Verdict(
        verdict.status,
        scrub(verdict.detail, key, redacted),
        scrub_value(verdict.metadata, key, redacted),
        verdict.models,
        verdict.transient,
        tuple(codes),
        scrub(_message(validation, document), key, redacted) if document is not _NOT_JSON else "",
    )


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # a hostile answer nested 100,000 deep
        return _NOT_JSON


def _success(validation: Validation, headers: Mapping[str, str], document: Any) -> Verdict:
    if document is _NOT_JSON:
        return Verdict("unknown", f"HTTP 200 but {_not_json(headers)}")
    if isinstance(document, dict) and document.get("error"):
        return _error_in_body(validation, document)
    if not _looks_expected(validation, document):
        return Verdict("unknown", "HTTP 200 but the answer has none of the fields this provider sends")
    metadata = extract_metadata(validation, headers, document)
    models = _models(validation, document)
    for check in validation.checks:
        if _triggered(check.equals, check.at_most, pluck(document, check.field)):
            return Verdict(check.status, check.detail, metadata, models)
    return Verdict("valid", "", metadata, models)


def _error_in_body(validation: Validation, document: dict[str, Any]) -> Verdict:
    """A 200 that carries an error object (OpenRouter does this): the error decides."""
    message = _message(validation, document)
    code = document["error"].get("code") if isinstance(document["error"], dict) else None
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    detail = "HTTP 200 with an error in the body" + (f": {message}" if message else "")
    if code is not None and is_transient(code):
        return Verdict("unreachable", detail, transient=True)
    status = _by_body(validation, document, message) or (validation.status_for(code) if code is not None else None)
    return Verdict(status or "unknown", detail)


def _failure(validation: Validation, http_status: int, headers: Mapping[str, str], document: Any) -> Verdict:
    limits = rate_limits(headers, validation.ratelimit_prefix)
    if document is _NOT_JSON:
        detail = f"HTTP {http_status}: {_not_json(headers)}"
        transient = is_transient(http_status)
        return Verdict("unreachable" if transient else "unknown", detail, limits, transient=transient)
    message = _message(validation, document)
    detail = f"HTTP {http_status}" + (f": {message}" if message else "")
    if is_transient(http_status):
        return Verdict("unreachable", detail, limits, transient=True)
    status = _by_body(validation, document, message) or validation.status_for(http_status)
    if status is None:
        return Verdict("unknown", detail + " (an answer aicheck does not know how to read)", limits)
    return Verdict(status, detail, limits)


def _not_json(headers: Mapping[str, str]) -> str:
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "text/html":
        return "an HTML page, not the provider's API answer (a proxy, firewall or captive portal?)"
    return f"an answer that is not JSON ({kind or 'no content type'})"


def _by_body(validation: Validation, document: Any, message: str) -> str | None:
    for code in _codes(validation, document):
        for pattern, status in validation.codes.items():
            if fnmatchcase(code, pattern):
                return status
    lowered = message.lower()
    return next((status for text, status in validation.messages.items() if text.lower() in lowered), None)


def _codes(validation: Validation, document: Any) -> list[str]:
    codes: list[str] = []
    for path in validation.code_fields:
        value = pluck(document, path)
        values = value if isinstance(value, list) else [value]
        codes += [item for item in values if isinstance(item, str) and item]
    return codes


def _message(validation: Validation, document: Any) -> str:
    for path in validation.message_fields:
        value = pluck(document, path)
        if isinstance(value, str) and value.strip():
            return _printable(value.strip())[:MAX_MESSAGE]
    return ""


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else " " for char in text)


def _looks_expected(validation: Validation, document: Any) -> bool:
    paths = [p for p in validation.metadata.values() if not p.startswith("header:")]
    paths += [check.field for check in validation.checks]
    paths += [validation.models] if validation.models else []
    return not paths or any(pluck(document, path) is not None for path in paths)


def _triggered(equals: Any, at_most: float | None, value: Any) -> bool:
    if at_most is not None:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value <= at_most
    return type(value) is type(equals) and value == equals


def _models(validation: Validation, document: Any) -> tuple[str, ...] | None:
    listed = pluck(document, validation.models) if validation.models else None
    if not isinstance(listed, list):
        return None
    prefix = validation.model_prefix
    return tuple(m[len(prefix):] if prefix and m.startswith(prefix) else m for m in listed if isinstance(m, str))


def extract_metadata(validation: Validation, headers: Mapping[str, str], document: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for name, path in validation.metadata.items():
        value = headers.get(path[len("header:"):]) if path.startswith("header:") else pluck(document, path)
        if value not in (None, "", []):
            metadata[name] = value
    return metadata | rate_limits(headers, validation.ratelimit_prefix)


def rate_limits(headers: Mapping[str, str], prefix: str | None) -> dict[str, Any]:
    """Headroom from ``x-ratelimit-remaining-requests`` or ``anthropic-ratelimit-requests-remaining``
    style headers: ``{"rate_limit": {"requests": {"limit": 500, "remaining": 499, "reset": "6s"}}}``."""
    limits: dict[str, dict[str, Any]] = {}
    for name, value in headers.items() if prefix else ():
        name = name.lower()
        if not name.startswith(prefix or ""):
            continue
        parts = name[len(prefix or ""):].split("-")
        if parts[0] in _LIMIT_FIELDS and len(parts) > 1:
            kind, what = "-".join(parts[1:]), parts[0]
        elif parts[-1] in _LIMIT_FIELDS and len(parts) > 1:
            kind, what = "-".join(parts[:-1]), parts[-1]
        else:
            continue
        limits.setdefault(kind, {})[what] = int(value) if value.isdigit() else value
    retry_after = headers.get("retry-after")
    extra = {"retry_after": retry_after} if retry_after else {}
    return ({"rate_limit": limits} if limits else {}) | extra


def pluck(node: Any, path: str) -> Any:
    """A value by a dotted path; ``name[]`` maps the rest of the path over a list."""
    if not path:
        return node
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        items = node.get(head[:-2]) if head[:-2] and isinstance(node, dict) else node
        if not isinstance(items, list):
            return None
        values = [pluck(item, rest) for item in items]
        return [value for value in values if value is not None]
    if isinstance(node, dict) and head in node:
        return pluck(node[head], rest)
    return None
