#!/usr/bin/env python3
"""Interoperability: ``aicheck smoke`` against a real LiteLLM proxy (an OpenAI-compatible server
nobody here wrote), started on 127.0.0.1 with ``mock_response`` models, no provider behind it.

    pip install 'litellm[proxy]'               # best in a virtual environment of its own
    python bench/litellm_interop.py            # finds `litellm` on PATH, or --litellm PATH, or $LITELLM_BIN

Models of the proxy:
- ``mock-ratelimited``: ``mock_response: "litellm.RateLimitError"``, which the proxy answers with
  HTTP 429, so aicheck must retry it and then fall back;
- ``mock-pong``: ``mock_response: "pong"`` (usage fixed by LiteLLM), streamed too.

The chain is ``mock-ratelimited`` then ``mock-pong`` on one custom provider
(``[providers.litellm]``, api_style openai). What must be seen: every prompt passes, answered by
mock-pong, after the 429s were retried on mock-ratelimited; the streamed prompt has a time to
first token. Exit 0 when that holds, 1 when not, and 0 with "skipped: ..." when litellm is absent.
Offline, the proxy needs LITELLM_LOCAL_MODEL_COST_MAP=True (set here) and a LITELLM_MASTER_KEY.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MASTER_KEY = "sk-aicheck-interop-1234"  # a key for this throwaway local proxy only

PROXY_CONFIG = """\
model_list:
  - model_name: mock-ratelimited
    litellm_params:
      model: openai/mock-ratelimited
      api_key: not-used
      mock_response: "litellm.RateLimitError"
  - model_name: mock-pong
    litellm_params:
      model: openai/mock-pong
      api_key: not-used
      mock_response: "pong"
litellm_settings:
  num_retries: 0
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
"""

AICHECK_CONFIG = """\
[providers.litellm]
base_url = "http://127.0.0.1:{port}"
api_style = "openai"
key_env = "LITELLM_MASTER_KEY"

[[chain]]
provider = "litellm"
model = "mock-ratelimited"
timeout = 20

[[chain]]
provider = "litellm"
model = "mock-pong"
timeout = 20

[resilience]
max_retries = 2
backoff_base_seconds = 0.1
backoff_cap_seconds = 0.5
retry_after_cap_seconds = 5

[[smoke]]
name = "pong"
prompt = "Reply with the single word: pong"
expect = {{ icontains = "pong" }}

[[smoke]]
name = "pong-streamed"
prompt = "Reply with the single word: pong"
stream = true
expect = {{ icontains = "pong" }}
"""


def find_litellm(explicit: str | None) -> str | None:
    return explicit or os.environ.get("LITELLM_BIN") or shutil.which("litellm")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, proxy: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proxy.poll() is not None:
            raise RuntimeError(f"the proxy exited with {proxy.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/liveliness", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the proxy was not ready after {seconds:.0f} s")


def run(litellm: str, startup_timeout: float = 120) -> tuple[int, dict[str, Any], float]:
    """Start the proxy, run ``aicheck smoke -f json`` against it; returns exit code, JSON, startup seconds."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        port = free_port()
        (work / "litellm.yaml").write_text(PROXY_CONFIG)
        # The gateway is the user's own: its config lives in the user's config folder, which
        # aicheck trusts (a repository's aicheck.toml would need `aicheck trust` first).
        config = work / "config" / "aicheck" / "aicheck.toml"
        config.parent.mkdir(parents=True)
        config.write_text(AICHECK_CONFIG.format(port=port))
        env = {**os.environ, "LITELLM_MASTER_KEY": MASTER_KEY, "LITELLM_LOCAL_MODEL_COST_MAP": "True",
               "AICHECK_STATE_DIR": str(work / "state"), "NO_COLOR": "1", "XDG_CONFIG_HOME": str(work / "config")}
        env = {k: v for k, v in env.items() if not k.lower().endswith("_proxy")}
        log = (work / "litellm.log").open("wb")
        started = time.monotonic()
        proxy = subprocess.Popen([litellm, "--config", str(work / "litellm.yaml"), "--host", "127.0.0.1", "--port", str(port)],
                                 env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
        try:
            wait_ready(port, proxy, startup_timeout)
            startup = time.monotonic() - started
            out = subprocess.run([sys.executable, "-m", "aicheck", "smoke", "--config", str(config), "-f", "json", "--no-cache"],
                                 env={**env, "PYTHONPATH": str(ROOT)}, cwd=work, capture_output=True, text=True, timeout=120)
            if not out.stdout:
                raise RuntimeError(f"aicheck smoke printed nothing (exit {out.returncode}): {out.stderr.strip()}")
            return out.returncode, json.loads(out.stdout), startup
        except RuntimeError:
            log.flush()
            sys.stderr.write((work / "litellm.log").read_text(errors="replace")[-3000:])
            raise
        finally:
            proxy.terminate()
            try:
                proxy.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proxy.kill()
            log.close()


def verdict(code: int, document: dict[str, Any]) -> list[str]:
    """What did not go as it must; empty when all is well."""
    problems = []
    if code != 0:
        problems.append(f"aicheck smoke exited {code}, expected 0")
    for result in document["results"]:
        first = result["path"][0]
        if result["status"] != "passed" or result["model"] != "mock-pong":
            problems.append(f"{result['name']}: {result['status']} by {result['model']}, expected passed by mock-pong")
        if first["kind"] != "rate_limit" or first["http_status"] != 429 or first["attempts"] != 3:
            problems.append(f"{result['name']}: mock-ratelimited gave {first['kind']} / HTTP {first['http_status']} in {first['attempts']} attempts, expected rate_limit / 429 in 3")
    streamed = next(r for r in document["results"] if r["name"] == "pong-streamed")
    if streamed["ttft_ms"] is None:
        problems.append("pong-streamed: no time to first token")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--litellm", help="the litellm executable (default: $LITELLM_BIN, then PATH)")
    args = parser.parse_args()
    litellm = find_litellm(args.litellm)
    if litellm is None:
        print("skipped: litellm is not installed (pip install 'litellm[proxy]', then --litellm PATH or put it on PATH)")
        return 0
    code, document, startup = run(litellm)
    print(f"LiteLLM proxy ({Path(litellm).resolve()}) ready in {startup:.1f} s; aicheck smoke exit {code}")
    for result in document["results"]:
        print(f"  {result['name']:14} {result['status']:7} {result['path_text']}  attempts={result['attempts']} "
              f"latency={result['latency_ms']} ms ttft={result['ttft_ms']} tokens={result['tokens']} answer={result['answer']!r}")
        for step in result["path"]:
            for failure in step.get("failures", []):
                print(f"      {step['model']}: {failure}")
    problems = verdict(code, document)
    print("interop: OK" if not problems else "interop: FAILED\n  " + "\n  ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
