"""Interop with a real LiteLLM proxy (bench/litellm_interop.py): runs only where litellm is installed.

It takes ~15 s (the proxy's start-up), so it is not part of the fast suite's budget; set
LITELLM_BIN or put ``litellm`` on PATH (``pip install 'litellm[proxy]'``) to run it.
"""

from __future__ import annotations

import pytest

from bench.litellm_interop import find_litellm, run, verdict

LITELLM = find_litellm(None)


@pytest.mark.skipif(LITELLM is None, reason="litellm is not installed: pip install 'litellm[proxy]' and set LITELLM_BIN or PATH")
def test_smoke_against_a_real_litellm_proxy() -> None:
    assert LITELLM is not None
    code, document, _ = run(LITELLM)
    assert verdict(code, document) == []
