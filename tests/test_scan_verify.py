"""``scan --verify``: each found key checked live against (fake) providers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


from tests.fakes.providers import ANSWERS, FakeProviders
from tests.keygen import KEYGEN


def test_verify_marks_live_keys_and_sends_non_ai_keys_nowhere(fake: FakeProviders, tmp_path: Path) -> None:
    live, dead, github = KEYGEN["groq-api-key"](), KEYGEN["openrouter-api-key"](), KEYGEN["github-token"]()
    fake.answer("groq", ANSWERS["groq"]["valid"], key=live)
    (tmp_path / "config.py").write_text(
        f'GROQ_API_KEY = "{live}"\nOPENROUTER_API_KEY = "{dead}"\nGITHUB_TOKEN = "{github}"\n'
    )
    env = {**os.environ, **fake.env()}
    out = subprocess.run(
        [sys.executable, "-m", "aicheck", "scan", "--verify", "-f", "json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 1, out.stderr
    findings = {f["rule"]: f for f in json.loads(out.stdout)["findings"]}
    assert findings["groq-api-key"]["verification"]["status"] == "valid"
    assert findings["groq-api-key"]["severity"] == "critical" and "LIVE" in findings["groq-api-key"]["note"]
    assert findings["openrouter-api-key"]["verification"]["status"] == "invalid"
    assert findings["github-token"]["verification"]["status"] == "unsupported"
    assert github not in fake.keys_seen() and {live, dead} <= fake.keys_seen()
    for key in (live, dead, github):
        assert key not in out.stdout + out.stderr
