"""Small helpers for the async HTTP engines (key validation, the fallback chain)."""

from __future__ import annotations

import asyncio
import codecs
import re
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to the end from sync code, even when called inside a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:  # called from async code: a loop of its own
        return pool.submit(asyncio.run, coroutine).result()


async def read_capped(response: httpx.Response, limit: int) -> bytes:
    """The body, up to ``limit`` bytes: a proxy's endless page must not fill the memory."""
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)


class TooLarge(Exception):
    """A body or a line past its bound: the answer is cut off, never kept growing."""


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


async def capped_lines(response: httpx.Response, body_limit: int, line_limit: int) -> AsyncIterator[str]:
    """The body's lines (CRLF, CR or LF ends one), with at most ``body_limit`` bytes in all and
    ``line_limit`` characters in a line: one endless line must not fill the memory."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending, size = "", 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > body_limit:
            raise TooLarge(f"the answer is larger than {body_limit:,} bytes")
        text = pending + decoder.decode(chunk)
        held = text.endswith("\r")  # the LF of a CRLF may come in the next chunk
        *lines, pending = _LINE_BREAK.split(text[:-1] if held else text)
        pending += "\r" if held else ""
        for line in lines:
            yield line
        if len(pending) > line_limit:
            raise TooLarge(f"a line is longer than {line_limit:,} characters")
    pending += decoder.decode(b"", final=True)
    for line in _LINE_BREAK.split(pending) if pending else []:
        yield line
