"""``aicheck catalog update`` offline: a server on 127.0.0.1 serves a recorded copy of LiteLLM's
map (tests/fixtures/litellm), a corrupt one, and one that is not the map at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from aicheck.catalog.models import facts, lifecycle
from aicheck.catalog.models import _facts as cached_facts

RECORDED = Path(__file__).parent / "fixtures" / "litellm" / "model_prices_and_context_window.json"


class MapServer:
    def __init__(self) -> None:
        self.bodies: dict[str, tuple[int, bytes]] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                status, body = owner.bodies.get(self.path, (404, b"not found"))
                self.send_response(status)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def server() -> Iterator[MapServer]:
    served = MapServer()
    served.thread.start()
    served.bodies["/map.json"] = (200, RECORDED.read_bytes())
    yield served
    served.server.shutdown()
    served.server.server_close()


def run(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICHECK_") and not k.lower().endswith("_proxy")}
    env.update(XDG_CACHE_HOME=str(cache), NO_COLOR="1", COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "aicheck", *args], env=env, capture_output=True, text=True, timeout=60)


def test_update_stores_the_map_and_every_command_uses_it(server: MapServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    done = run("catalog", "update", "--url", server.url("/map.json"), "--format", "json", cache=tmp_path)
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)["results"]
    stored = tmp_path / "aicheck" / "models.json"
    assert row["path"] == str(stored) and row["providers"]["openai"] >= 1
    data = json.loads(stored.read_text())["providers"]
    assert data["groq"]["openai/gpt-oss-20b"]["input"] == 0.075  # "groq/" taken off, USD per million
    assert "text-embedding-3-small" not in data.get("openai", {})  # chat models only

    listed = run("keys", "providers", "--format", "json", cache=tmp_path)
    summary = json.loads(listed.stdout)["summary"]["model_data"]
    assert "LiteLLM model map from http://127.0.0.1" in summary["source"]

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cached_facts.cache_clear()
    assert facts().cached == stored and facts().prices["deepseek"]["deepseek-chat"].deprecation_date == "2026-07-24"
    assert lifecycle("groq", "openai/gpt-oss-20b").state == "current"
    assert "deepseek-v4-pro" not in data["deepseek"]  # not in the recorded copy: as if the map dropped it
    assert lifecycle("deepseek", "deepseek-v4-pro").state == "retired"


@pytest.mark.parametrize(("body", "says"), [
    (b'{"gpt-4o-mini": {"litellm_provider": "openai", "input_cost_per_', "not JSON"),
    (b"<html><body>Rate limited</body></html>", "not JSON"),
    (b'["a", "list"]', "not a JSON object"),
    (json.dumps({"gpt-x": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-7}}).encode(), "expected 50+"),
])
def test_a_corrupt_map_is_refused_and_the_kept_copy_stays(server: MapServer, tmp_path: Path, body: bytes, says: str) -> None:
    assert run("catalog", "update", "--url", server.url("/map.json"), cache=tmp_path).returncode == 0
    stored = tmp_path / "aicheck" / "models.json"
    before = stored.read_bytes()
    server.bodies["/bad.json"] = (200, body)
    done = run("catalog", "update", "--url", server.url("/bad.json"), cache=tmp_path)
    assert done.returncode == 1 and says in done.stderr and "kept copy is unchanged" in done.stderr
    assert stored.read_bytes() == before


def test_a_wrong_price_or_date_in_the_map_is_refused(server: MapServer, tmp_path: Path) -> None:
    document = json.loads(RECORDED.read_text())
    document["gpt-4o-mini"]["deprecation_date"] = "next year"
    server.bodies["/bad.json"] = (200, json.dumps(document).encode())
    done = run("catalog", "update", "--url", server.url("/bad.json"), cache=tmp_path)
    assert done.returncode == 1 and "deprecation_date" in done.stderr
    assert not (tmp_path / "aicheck" / "models.json").exists()


def test_http_error_and_plain_http_elsewhere(server: MapServer, tmp_path: Path) -> None:
    done = run("catalog", "update", "--url", server.url("/missing.json"), cache=tmp_path)
    assert done.returncode == 1 and "HTTP 404" in done.stderr
    done = run("catalog", "update", "--url", "http://example.com/map.json", cache=tmp_path)
    assert done.returncode == 2 and "only https" in done.stderr


def test_a_damaged_cache_falls_back_to_the_shipped_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "aicheck").mkdir()
    (tmp_path / "aicheck" / "models.json").write_text("{not json")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cached_facts.cache_clear()
    assert facts().cached is None and "shipped" in facts().source
    assert lifecycle("openai", "gpt-5.4-mini").state == "current"
