"""Other views of a file in which an encoded secret reads as plain text.

Each decoder returns ``Segment``s: decoded bytes plus where they came from, so a finding in
decoded text is reported at the line of the encoded original. Decoders only run where their
encoding is present, so plain source files cost one cheap check each.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from aicheck.scan import engine

# Files where base64 values are configuration (Kubernetes Secrets, CI variables) rather than
# embedded images or test data.
BASE64_SUFFIXES = {
    ".yaml", ".yml", ".json", ".env", ".toml", ".ini", ".cfg", ".conf", ".properties",
    ".tfvars", ".tf", ".txt", ".xml", ".plist", "",
}
# RE2 (the rules' engine): a megabyte of base64 in a fixture is one linear pass.
_BASE64 = engine.compile(rb"(?<![A-Za-z0-9+/=_-])([A-Za-z0-9+/]{24,}={0,2})(?![A-Za-z0-9+/=_-])")
_ESCAPE = re.compile(rb"\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[/\"'nrt\\])")
_ESCAPES_PRESENT = re.compile(rb"\\(?:u00|x[0-9a-fA-F]{2}|/|\"|')")
_PERCENT = re.compile(rb"%[0-9A-Fa-f]{2}")
MAX_BASE64_VALUES = 2000


@dataclass(frozen=True)
class Segment:
    data: bytes
    line: int  # line in the original file where ``data``'s first line sits
    note: str
    per_line: bool = True  # data keeps the original line structure (line offsets add up)


def decode_all(data: bytes, suffix: str) -> Iterator[Segment]:
    if suffix == ".ipynb":
        yield from notebook(data)
    yield from escapes(data)
    yield from percent(data)
    if suffix in BASE64_SUFFIXES or suffix.startswith(".env"):
        yield from base64_values(data)


def _line_view(data: bytes, needle: re.Pattern[bytes], decode: Callable[[bytes], bytes]) -> bytes | None:
    """The file again with decodable lines decoded and all others blank (line numbers kept).

    Built from the needle's hits, not line by line: a large file with a few encoded lines costs
    one regex pass and a few slices.
    """
    pieces: list[bytes] = []
    line_end = 0  # end of the last line taken (after its newline)
    for hit in needle.finditer(data):
        if hit.start() < line_end:
            continue
        start = data.rfind(b"\n", 0, hit.start()) + 1
        end = data.find(b"\n", hit.start())
        end = len(data) if end == -1 else end
        pieces.append(b"\n" * data.count(b"\n", line_end, start))
        pieces.append(decode(data[start:end]))
        line_end = end + 1
    return b"".join(pieces) if pieces else None


def _unescape_match(match: re.Match[bytes]) -> bytes:
    text = match.group(0)
    kind = text[1:2]
    if kind == b"u" or kind == b"x":
        char = chr(int(text[2:], 16))
        return b" " if char in "\r\n" else char.encode("utf-8", "replace")
    return {b"n": b" ", b"r": b" ", b"t": b" "}.get(kind, kind)


def _unescape(line: bytes) -> bytes:
    return _ESCAPE.sub(_unescape_match, line)


def _unpercent(line: bytes) -> bytes:
    return unquote_to_bytes(line).replace(b"\n", b" ").replace(b"\r", b" ")


def escapes(data: bytes) -> Iterator[Segment]:
    """JSON and JavaScript string escapes: ``\\u0073k-...``, ``\\"api_key\\": \\"...\\"``."""
    if b"\\" not in data:
        return
    view = _line_view(data, _ESCAPES_PRESENT, _unescape)
    if view is not None:
        yield Segment(view, 1, "found in an escaped string")


def percent(data: bytes) -> Iterator[Segment]:
    """URL-encoded values: ``?key=sk-or-v1%2D...`` or ``password=p%40ss``."""
    if b"%" not in data:
        return
    view = _line_view(data, _PERCENT, _unpercent)
    if view is not None:
        yield Segment(view, 1, "found in a URL-encoded value")


def base64_values(data: bytes) -> Iterator[Segment]:
    """Base64 values such as a Kubernetes Secret's ``data:`` entries."""
    for count, match in enumerate(_BASE64.finditer(data)):
        if count >= MAX_BASE64_VALUES:
            return
        decoded = _b64(match.group(1))
        if decoded is not None:
            line = data.count(b"\n", 0, match.start()) + 1
            yield Segment(decoded, line, "found in a base64-encoded value", per_line=False)


def _b64(value: bytes) -> bytes | None:
    try:
        decoded = base64.b64decode(value + b"=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not decoded or not _mostly_text(decoded):
        return None
    return decoded


_PRINTABLE = bytes([9, 10, 13, *range(32, 127)])


def _mostly_text(data: bytes) -> bool:
    other = len(data.translate(None, _PRINTABLE))  # what is left once printable bytes are deleted
    return other <= 0.05 * len(data)


def notebook(data: bytes) -> Iterator[Segment]:
    """Jupyter notebooks: cell sources and outputs as the text a person sees."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return
    cells = doc.get("cells", []) if isinstance(doc, dict) else []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        for text in _cell_texts(cell):
            yield Segment(text.encode("utf-8", "replace"), 1, "found in a notebook cell", per_line=False)


def _cell_texts(cell: dict[str, object]) -> Iterator[str]:
    yield _joined(cell.get("source"))
    outputs = cell.get("outputs")
    for output in outputs if isinstance(outputs, list) else []:
        if not isinstance(output, dict):
            continue
        yield _joined(output.get("text"))
        data = output.get("data")
        if isinstance(data, dict):
            for value in data.values():
                yield _joined(value)


def _joined(value: object) -> str:
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def carries(value: str, secret: str) -> bool:
    """True when ``value`` is ``secret`` itself or an encoding of something containing it."""
    if secret in value:
        return True
    raw = value.encode("utf-8", "replace")
    decoded = _b64(raw) or b""
    return secret.encode() in decoded or secret.encode() in _unpercent(_unescape(raw))
