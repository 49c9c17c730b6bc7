"""``smoke --drill ENTRY`` through a real LiteLLM proxy: three models behind one gateway, so only a
drill of one chain entry (by name or provider/model) can prove the fallback; a drill of the
provider id fails every entry. Mocked answers and a mocked 429 (LiteLLM's ``mock_response``).

Runs only where litellm is installed (``pip install 'litellm[proxy]'`` in a virtual environment of
its own, then LITELLM_BIN or PATH); the proxy's start-up takes ~15 s, paid once for the module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.litellm_interop import MASTER_KEY, find_litellm, free_port, wait_ready

LITELLM = find_litellm(None)
ROOT = Path(__file__).resolve().parent.parent

PROXY = """\
model_list:
  - model_name: mock-primary
    litellm_params: {model: openai/mock-primary, api_key: not-used, mock_response: "pong from primary"}
  - model_name: mock-ratelimited
    litellm_params: {model: openai/mock-ratelimited, api_key: not-used, mock_response: "litellm.RateLimitError"}
  - model_name: mock-tertiary
    litellm_params: {model: openai/mock-tertiary, api_key: not-used, mock_response: "pong from tertiary"}
litellm_settings:
  num_retries: 0
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
"""

CHAIN = """\
[providers.litellm]
base_url = "http://127.0.0.1:{port}"
api_style = "openai"
key_env = "LITELLM_MASTER_KEY"

[[chain]]
name = "primary"
provider = "litellm"
model = "mock-primary"
timeout = 20

[[chain]]
provider = "litellm"
model = "mock-ratelimited"
timeout = 20

[[chain]]
name = "tertiary"
provider = "litellm"
model = "mock-tertiary"
timeout = 20

[resilience]
max_retries = 1
backoff_base_seconds = 0.05
backoff_cap_seconds = 0.2
breaker_failure_threshold = 0

[[smoke]]
name = "pong"
prompt = "Reply with the single word: pong"
expect = {{ icontains = "pong" }}
"""

pytestmark = pytest.mark.skipif(LITELLM is None, reason="litellm is not installed: pip install 'litellm[proxy]' and set LITELLM_BIN or PATH")


@pytest.fixture(scope="module")
def gateway() -> Iterator[tuple[Path, dict[str, str]]]:
    assert LITELLM is not None
    with tempfile.TemporaryDirectory() as folder:
        work, port = Path(folder), free_port()
        (work / "litellm.yaml").write_text(PROXY)
        (work / "aicheck.toml").write_text(CHAIN.format(port=port))
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("AICHECK_")}
        env |= {"LITELLM_MASTER_KEY": MASTER_KEY, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "NO_COLOR": "1", "COLUMNS": "200",
                "AICHECK_STATE_DIR": str(work / "state"), "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(work / "xdg")}
        # A custom provider on plain http: the user trusts this exact config first (DESIGN.md "Trust").
        trusted = subprocess.run([sys.executable, "-m", "aicheck", "trust", "--yes"], cwd=work, env=env, capture_output=True, text=True, timeout=60)
        assert trusted.returncode == 0, trusted.stdout + trusted.stderr
        with (work / "litellm.log").open("wb") as log:
            proxy = subprocess.Popen([LITELLM, "--config", str(work / "litellm.yaml"), "--host", "127.0.0.1", "--port", str(port)],
                                     env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
            try:
                wait_ready(port, proxy, 120)
                yield work, env
            finally:
                proxy.terminate()
                try:
                    proxy.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proxy.kill()


def aicheck(gateway: tuple[Path, dict[str, str]], *args: str) -> subprocess.CompletedProcess[str]:
    work, env = gateway
    return subprocess.run([sys.executable, "-m", "aicheck", *args], cwd=work, env=env, capture_output=True, text=True, timeout=120)


def test_a_drill_of_one_entry_proves_the_fallback_through_three_models(gateway: tuple[Path, dict[str, str]]) -> None:
    out = aicheck(gateway, "smoke", "--drill", "primary", "--no-cache", "-f", "json")
    assert out.returncode == 0, out.stdout + out.stderr
    document = json.loads(out.stdout)
    (result,) = document["results"]
    assert result["status"] == "passed" and result["model"] == "mock-tertiary" and "pong from tertiary" in result["answer"]
    assert result["path_text"] == "litellm/mock-primary ✗ (drill) → litellm/mock-ratelimited ✗ (rate_limit) → litellm/mock-tertiary ✓"
    ratelimited = result["path"][1]
    assert (ratelimited["http_status"], ratelimited["attempts"]) == (429, 2)  # retried once, then the next entry
    assert document["summary"]["drills"] == ["primary"] and document["summary"]["fallbacks"] == 1
    # provider/model names the same entry
    again = json.loads(aicheck(gateway, "smoke", "--drill", "litellm/mock-primary", "--no-cache", "-f", "json").stdout)
    assert again["results"][0]["model"] == "mock-tertiary" and again["summary"]["drills"] == ["primary"]
    # the report counts the passing drill as proof (from the state file's history)
    report = json.loads(aicheck(gateway, "report", "--skip", "scan", "--skip", "env", "--skip", "keys", "--no-cache", "-f", "json").stdout)
    assert report["summary"]["fallback"]["status"] == "proven", report["summary"]["fallback"]
    assert report["summary"]["p95_ms"] is not None  # --no-cache: measured, not served from the cache


def test_a_drill_of_the_provider_fails_every_entry(gateway: tuple[Path, dict[str, str]]) -> None:
    out = aicheck(gateway, "smoke", "--drill", "litellm", "--no-cache", "-f", "json")
    assert out.returncode == 1
    (result,) = json.loads(out.stdout)["results"]
    assert result["status"] == "error" and [step["kind"] for step in result["path"]] == ["drill"] * 3
