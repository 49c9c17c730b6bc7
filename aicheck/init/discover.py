"""What ``aicheck init`` learns about a repository before writing a config: frameworks, .env
files, and the AI providers the code already uses (from env var names, SDK imports and API hosts).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aicheck import catalog, git
from aicheck.scan.files import WALK_SKIP_DIRS

SOURCE_SUFFIXES = {".py", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".vue", ".svelte", ".astro"}
MAX_SOURCE_BYTES = 1_000_000
MAX_FILES = 5000
# Client-exposed prefixes are stripped: VITE_GROQ_API_KEY names the Groq key too.
CLIENT_PREFIXES = ("VITE_", "NEXT_PUBLIC_", "REACT_APP_", "EXPO_PUBLIC_", "NUXT_PUBLIC_", "PUBLIC_", "GATSBY_", "VUE_APP_")
# API hosts and SDK imports in source that say which provider a file talks to.
SIGNS: dict[str, tuple[str, ...]] = {
    # Not "from openai": the OpenAI SDK is how apps call Groq, OpenRouter and most others too.
    "openai": ("api.openai.com",),
    "anthropic": ("api.anthropic.com", "import anthropic", "from anthropic"),
    "groq": ("api.groq.com", "import groq", "from groq"),
    "openrouter": ("openrouter.ai",),
    "gemini": ("generativelanguage.googleapis.com", "google.generativeai", "from google import genai"),
    "mistral": ("api.mistral.ai", "from mistralai"),
    "cohere": ("api.cohere.com", "api.cohere.ai", "import cohere"),
    "together": ("api.together.xyz", "from together"),
    "fireworks": ("api.fireworks.ai",),
    "deepseek": ("api.deepseek.com",),
    "xai": ("api.x.ai",),
    "perplexity": ("api.perplexity.ai",),
    "cerebras": ("api.cerebras.ai", "cerebras.cloud.sdk"),
    "azure-openai": (".openai.azure.com", "AzureOpenAI"),
}
# Dependencies (npm and PyPI names) that belong to one provider.
PACKAGES = {
    "groq-sdk": "groq", "groq": "groq", "@ai-sdk/groq": "groq",
    "@anthropic-ai/sdk": "anthropic", "anthropic": "anthropic", "@ai-sdk/anthropic": "anthropic",
    "@google/generative-ai": "gemini", "@google/genai": "gemini", "google-generativeai": "gemini", "google-genai": "gemini",
    "@mistralai/mistralai": "mistral", "mistralai": "mistral",
    "cohere-ai": "cohere", "cohere": "cohere",
    "together-ai": "together", "together": "together",
    "@cerebras/cerebras_cloud_sdk": "cerebras", "cerebras-cloud-sdk": "cerebras",
    "fireworks-ai": "fireworks", "@openrouter/ai-sdk-provider": "openrouter",
}
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", re.M)
_QUOTED_REQUIREMENT = re.compile(r"[\"']([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:[<>=!~;][^\"']*)?[\"']")
# Gateways usually stand behind a direct provider in a chain: they go last.
FALLBACK_LAST = ("openrouter",)
_ENV_NAME = re.compile(r"\b[A-Z][A-Z0-9_]{2,}\b")


@dataclass
class Discovery:
    root: Path
    frameworks: list[str] = field(default_factory=list)  # "vite", "next", "react", "python"
    env_files: list[str] = field(default_factory=list)
    example_file: str | None = None
    providers: list[str] = field(default_factory=list)  # in chain order
    key_envs: dict[str, str] = field(default_factory=dict)  # provider -> variable the repo uses


def discover(root: Path) -> Discovery:
    found = Discovery(root)
    files = _files(root)
    found.frameworks = _frameworks(root, files)
    found.env_files = sorted(f for f in files if _is_env(f) and not f.endswith((".example", ".sample", ".template")))
    examples = [f for f in files if _is_env(f) and f.endswith((".example", ".sample", ".template"))]
    found.example_file = ".env.example" if ".env.example" in examples else (examples[0] if examples else None)
    votes, names = _provider_votes(root, files)
    found.providers = _ordered(votes)
    found.key_envs = {p: names[p].most_common(1)[0][0] for p in found.providers if names[p]}
    return found


def _files(root: Path) -> list[str]:
    top = git.toplevel(root)
    if top is not None and top == root.resolve():
        listed = git.ls_files(top, ["."])
    else:
        listed = [
            p.relative_to(root).as_posix()
            for p in sorted(root.rglob("*"))
            if p.is_file() and not WALK_SKIP_DIRS.intersection(p.relative_to(root).parts)
        ]
    # .env files are usually ignored, and they still say which keys the app uses.
    env_files = [p.name for p in root.glob(".env*") if p.is_file()]
    return sorted(set(listed[:MAX_FILES]) | set(env_files))


def _is_env(name: str) -> bool:
    return Path(name).name.startswith(".env") and Path(name).name != ".envrc"


def _frameworks(root: Path, files: list[str]) -> list[str]:
    found: list[str] = []
    deps = _package_deps(root / "package.json")
    names = {Path(f).name for f in files}
    if "vite" in deps or any(n.startswith("vite.config.") for n in names):
        found.append("vite")
    if "next" in deps or any(n.startswith("next.config.") for n in names):
        found.append("next")
    if "react" in deps and "next" not in found:
        found.append("react")
    if names & {"pyproject.toml", "requirements.txt", "setup.py", "Pipfile"}:
        found.append("python")
    if names & {"package.json"} and not found:
        found.append("node")
    return found


def _package_deps(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    deps: set[str] = set()
    for section in ("dependencies", "devDependencies"):
        if isinstance(data.get(section), dict):
            deps |= set(data[section])
    return deps


def _provider_votes(root: Path, files: list[str]) -> tuple[Counter[str], dict[str, Counter[str]]]:
    by_name = {name: p.id for p in catalog.load().providers for name in p.env_vars}
    votes: Counter[str] = Counter()
    names: dict[str, Counter[str]] = {p.id: Counter() for p in catalog.load().providers}
    for rel in files:
        text = _read(root / rel, rel)
        if not text:
            continue
        for raw in set(_ENV_NAME.findall(text)):
            name = _strip_client_prefix(raw)
            if name in by_name:
                votes[by_name[name]] += 3  # a key variable is stronger evidence than a host name
                names[by_name[name]][name] += 1
        for provider, signs in SIGNS.items():
            if any(sign in text for sign in signs):
                votes[provider] += 1
    for package in _dependencies(root, files):
        if package in PACKAGES:
            votes[PACKAGES[package]] += 2
    return votes, names


def _dependencies(root: Path, files: list[str]) -> set[str]:
    names = set(_package_deps(root / "package.json"))
    for rel in files:
        path = root / rel
        if path.name.startswith("requirements") and path.suffix == ".txt":
            names |= set(_REQUIREMENT.findall(_text(path)))
        elif path.name == "pyproject.toml":
            names |= set(_QUOTED_REQUIREMENT.findall(_text(path)))
    return {name.lower() for name in names}


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _read(path: Path, rel: str) -> str:
    if not (_is_env(rel) or path.suffix in SOURCE_SUFFIXES):
        return ""
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return ""
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _strip_client_prefix(name: str) -> str:
    for prefix in CLIENT_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _ordered(votes: Counter[str]) -> list[str]:
    ranked = [p for p, _ in sorted(votes.items(), key=lambda item: (-item[1], item[0]))]
    return [p for p in ranked if p not in FALLBACK_LAST] + [p for p in ranked if p in FALLBACK_LAST]
