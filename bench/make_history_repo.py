"""Generate a realistic git history for benchmarks: thousands of commits, many authors.

No real project's history can be downloaded here, so this builds one with ``git fast-import``:
a source tree of Python, TypeScript, JSON and Markdown files that grows and changes, 60
authors, feature branches merged back, renames and deletions, and a few planted keys (added,
some later removed) in the formats aicheck and gitleaks both know, generated at random.

    python bench/make_history_repo.py bench/corpus/history-5000 --commits 5000
"""

from __future__ import annotations

import argparse
import random
import string
import subprocess
import sys
import time
import zlib
from pathlib import Path

ALNUM = string.ascii_letters + string.digits
WORDS = (
    "user session request response model cache token count retry handler config client prompt "
    "stream chunk budget limit provider fallback latency result error status message payload "
    "schema router service metric event queue worker batch record index vector embedding"
).split()


def rand(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def github_token(rng: random.Random) -> str:
    body = rand(rng, 30)
    crc = zlib.crc32(body.encode())
    digits = ""
    while crc:
        crc, r = divmod(crc, 62)
        digits = (string.digits + string.ascii_uppercase + string.ascii_lowercase)[r] + digits
    return "ghp_" + body + digits.rjust(6, "0")


PLANTS = {
    "groq": lambda r: f'GROQ_API_KEY = "gsk_{rand(r, 52)}"',
    "openrouter": lambda r: f'OPENROUTER_API_KEY = "sk-or-v1-{rand(r, 64, "0123456789abcdef")}"',
    "aws": lambda r: f'aws_access_key_id = "AKIA{rand(r, 16, string.ascii_uppercase + "234567")}"',
    "github": lambda r: f'GITHUB_TOKEN = "{github_token(r)}"',
    "anthropic": lambda r: f'ANTHROPIC_API_KEY = "sk-ant-api03-{rand(r, 93, ALNUM + "_-")}AA"',
}


def code_line(rng: random.Random, suffix: str) -> str:
    a, b, c = rng.sample(WORDS, 3)
    if suffix == ".py":
        return rng.choice([
            f"def {a}_{b}({c}):\n    return {c}.{a} + {rng.randint(1, 999)}",
            f"{a.upper()}_{b.upper()} = {rng.randint(1, 10000)}",
            f"    {a}_{b} = self.{c}.get('{a}', None)",
            f"# {a} the {b} before the {c} is sent",
        ])
    if suffix == ".ts":
        return rng.choice([
            f"export function {a}{b.title()}({c}: string) {{ return {c}.length * {rng.randint(1, 99)}; }}",
            f"const {a}{b.title()} = await fetch(`/api/{a}/${{{c}}}`);",
            f"// {a} {b} {c}",
        ])
    if suffix == ".json":
        return f'  "{a}_{b}": "{c}-{rng.randint(1, 99999)}",'
    return f"The {a} keeps the {b} of each {c} ({rng.randint(1, 500)} ms)."


class Repo:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.files: dict[str, list[str]] = {}
        self.mark = 0

    def new_path(self) -> str:
        folder = self.rng.choice(["src", "src/api", "src/lib", "web/src", "web/src/components", "docs", "config", "tests"])
        suffix = {"docs": ".md", "config": ".json", "web/src": ".ts", "web/src/components": ".ts"}.get(folder, ".py")
        return f"{folder}/{self.rng.choice(WORDS)}_{self.rng.choice(WORDS)}{suffix}"

    def content(self, path: str) -> bytes:
        return ("\n".join(self.files[path]) + "\n").encode()

    def edit(self) -> dict[str, bytes | None]:
        """One commit's changes: path -> new content (None deletes)."""
        changes: dict[str, bytes | None] = {}
        roll = self.rng.random()
        if roll < 0.12 or len(self.files) < 40:
            path = self.new_path()
            suffix = Path(path).suffix
            self.files[path] = [code_line(self.rng, suffix) for _ in range(self.rng.randint(20, 300))]
            changes[path] = self.content(path)
        elif roll < 0.14 and len(self.files) > 60:
            path = self.rng.choice(sorted(self.files))
            del self.files[path]
            changes[path] = None
        elif roll < 0.16:
            old = self.rng.choice(sorted(self.files))
            new = self.new_path()
            if new not in self.files:
                self.files[new] = self.files.pop(old)
                changes[old], changes[new] = None, self.content(new)
        for path in self.rng.sample(sorted(self.files), k=min(len(self.files), self.rng.randint(1, 4))):
            lines = self.files[path]
            suffix = Path(path).suffix
            for _ in range(self.rng.randint(1, 6)):
                at = self.rng.randrange(len(lines) + 1)
                if self.rng.random() < 0.6:
                    lines.insert(at, code_line(self.rng, suffix))
                elif lines:
                    lines[min(at, len(lines) - 1)] = code_line(self.rng, suffix)
            changes[path] = self.content(path)
        return changes


def generate(target: Path, commits: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    authors = [(f"Dev {i:02}", f"dev{i:02}@example.com") for i in range(60)]
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=target, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    out = proc.stdin
    repo = Repo(rng)
    plant_at = {rng.randrange(50, commits - 50): kind for kind in PLANTS for _ in range(3)}
    planted: dict[str, int] = {}
    when = 1_600_000_000
    last_main = 0
    branch_tip = 0
    for n in range(1, commits + 1):
        when += rng.randint(60, 20_000)
        name, email = rng.choice(authors)
        changes = repo.edit()
        if n in plant_at:
            kind = plant_at[n]
            path = repo.rng.choice([p for p in sorted(repo.files) if p.endswith(".py")])
            repo.files[path].insert(1, PLANTS[kind](rng))
            changes[path] = repo.content(path)
            planted[kind] = planted.get(kind, 0) + 1
        on_branch = rng.random() < 0.2
        ref = "refs/heads/feature" if on_branch else "refs/heads/main"
        out.write(f"commit {ref}\nmark :{n}\nauthor {name} <{email}> {when} +0000\ncommitter {name} <{email}> {when} +0000\n".encode())
        message = f"{rng.choice(WORDS)}: update {rng.choice(WORDS)} handling ({n})".encode()
        out.write(b"data %d\n%s\n" % (len(message), message))
        parent = (branch_tip or last_main) if on_branch else last_main
        if parent:
            out.write(f"from :{parent}\n".encode())
        if not on_branch and branch_tip and rng.random() < 0.3:
            out.write(f"merge :{branch_tip}\n".encode())
            branch_tip = 0
        for path, data in changes.items():
            if data is None:
                out.write(f"D {path}\n".encode())
            else:
                out.write(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        out.write(b"\n")
        if on_branch:
            branch_tip = n
        else:
            last_main = n
    out.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=target, check=True)
    return planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", type=Path)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if (args.target / ".git").exists():
        print(f"{args.target} exists; remove it to regenerate", file=sys.stderr)
        return
    started = time.perf_counter()
    planted = generate(args.target, args.commits, args.seed)
    count = subprocess.run(["git", "rev-list", "--all", "--count"], cwd=args.target, capture_output=True, text=True).stdout.strip()
    print(f"{args.target}: {count} commits in {time.perf_counter() - started:.1f} s; planted {planted}")


if __name__ == "__main__":
    main()
