"""Build an example app into a real git repository and run aicheck on it, as a user would.

    python examples/run.py broken            # prints what aicheck reports
    python examples/run.py fixed --keep /tmp/chat-fixed
    python examples/run.py all --write-expected   # refresh examples/chat-app/*/EXPECTED.md

The keys are generated here, at random, in the real formats: nothing real is ever committed.
The broken state gets the classic mistakes: a key in a VITE_ variable, process.env in client
code, a committed .env, a key in git history (committed, then deleted), a chain key in the
wrong format, and the built bundle (dist/) with the key inlined by Vite.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "chat-app"
ALNUM = string.ascii_letters + string.digits
TEMPLATES = {"env.template", "gitignore.template", "history", "EXPECTED.md"}
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Example Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Example Dev", "GIT_COMMITTER_EMAIL": "dev@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}
COMMANDS = {
    "scan --history": ["scan", "--history"],
    "scan dist": ["scan", "dist"],
    "env check": ["env", "check"],
    "code": ["code"],
    "report --offline": ["report", "--offline"],
}


def _rand(n: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def new_keys() -> dict[str, str]:
    return {
        "GROQ_KEY": "gsk_" + _rand(52),
        "OLD_GROQ_KEY": "gsk_" + _rand(52),
        "OPENROUTER_KEY": "sk-or-v1-" + _rand(64, "0123456789abcdef"),
        # A Groq key pasted into OPENROUTER_API_KEY: the chain's second link can never work.
        "WRONG_OPENROUTER_KEY": "gsk_" + _rand(52),
    }


def _fill(text: str, keys: dict[str, str]) -> str:
    return re.sub(r"\{\{(\w+)\}\}", lambda m: keys[m.group(1)], text)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)


def build(state: str, dest: Path) -> dict[str, str]:
    """Materialise ``chat-app/<state>`` in ``dest`` as a git repository; returns the keys used."""
    source = HERE / state
    keys = new_keys()
    shutil.copytree(source, dest, ignore=lambda _d, names: [n for n in names if n in TEMPLATES], dirs_exist_ok=True)
    _git(dest, "init", "-q", "-b", "main")
    if state == "broken":
        (dest / ".gitignore").write_text("node_modules/\ndist/\n")
        (dest / "server" / "config.py").write_text(_fill((source / "history" / "config.py.template").read_text(), keys))
        _git(dest, "add", "-A")
        _git(dest, "commit", "-qm", "First version of the chat app")
        (dest / "server" / "config.py").unlink()
        (dest / ".env").write_text(_fill((source / "env.template").read_text(), keys))
        _git(dest, "add", "-A")
        _git(dest, "commit", "-qm", "Move the key to .env")
        _vite_build(dest, keys["GROQ_KEY"])
    else:
        (dest / ".gitignore").write_text((source / "gitignore.template").read_text())
        _git(dest, "add", "-A")
        _git(dest, "commit", "-qm", "Chat app: keys on the server only")
        (dest / ".env").write_text(_fill((source / "env.template").read_text(), keys))
    return keys


def _vite_build(dest: Path, key: str) -> None:
    """What `vite build` leaves in dist/ for the broken client: the VITE_ key inlined."""
    assets = dest / "dist" / "assets"
    assets.mkdir(parents=True)
    code = (
        'const ue="https://api.groq.com/openai/v1/chat/completions";'
        f'const Xe={{VITE_GROQ_API_KEY:"{key}",BASE_URL:"/",MODE:"production",DEV:!1,PROD:!0}};'
        "async function fe(t,e,n,r){const o=await fetch(t,{method:\"POST\",headers:{Authorization:`Bearer ${e}`}});"
        "return(await o.json()).choices[0].message.content}"
    )
    (assets / "index-4f9a1c2e.js").write_text(code)


def run_checks(repo: Path, state_dir: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    env = {**os.environ, "AICHECK_STATE_DIR": str(state_dir), "NO_COLOR": "1", "COLUMNS": "110"}
    for name in [n for n in env if n.endswith("_API_KEY") or n.startswith("AICHECK_") and n.endswith("_BASE_URL")]:
        env.pop(name)  # the example's own .env is what counts, not the caller's keys
    results = {}
    for label, args in COMMANDS.items():
        if label == "scan dist" and not (repo / "dist").exists():
            continue
        results[label] = subprocess.run(
            [sys.executable, "-m", "aicheck", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300
        )
    return results


def expected_md(state: str, results: dict[str, subprocess.CompletedProcess[str]], repo: Path) -> str:
    parts = [f"# What aicheck says about the {state} chat app\n",
             "Produced by `python examples/run.py " + state + " --write-expected` (keys are random on each run).\n"]
    for label, out in results.items():
        text = (out.stdout + out.stderr).replace(str(repo), "<repo>").rstrip()
        parts.append(f"## `aicheck {label}` (exit {out.returncode})\n\n```\n{text}\n```\n")
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("state", choices=["broken", "fixed", "all"])
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it")
    parser.add_argument("--write-expected", action="store_true", help="write chat-app/<state>/EXPECTED.md")
    args = parser.parse_args()
    for state in (["broken", "fixed"] if args.state == "all" else [args.state]):
        with tempfile.TemporaryDirectory() as tmp:
            repo = (args.keep / state if args.state == "all" else args.keep) if args.keep else Path(tmp) / "chat-app"
            repo.mkdir(parents=True, exist_ok=True)
            build(state, repo)
            results = run_checks(repo, Path(tmp) / "state")
            text = expected_md(state, results, repo)
            print(text)
            if args.write_expected:
                (HERE / state / "EXPECTED.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
