"""The files ``aicheck init`` writes or prints, as text with comments a person can edit."""

from __future__ import annotations

from aicheck import catalog
from aicheck.init.discover import Discovery

STARTER_CHAIN = ("groq", "openrouter")


def _default_model(provider: str) -> str | None:
    entry = catalog.load().provider(provider)
    return entry.default_model if entry else None


def _chain_providers(found: Discovery) -> list[str]:
    chain = [p for p in found.providers if _default_model(p)]
    return chain or list(STARTER_CHAIN)


def key_env(found: Discovery, provider: str) -> str:
    if provider in found.key_envs:
        return found.key_envs[provider]
    entry = catalog.load().provider(provider)
    return entry.env_vars[0] if entry and entry.env_vars else f"{provider.upper().replace('-', '_')}_API_KEY"


def config_toml(found: Discovery) -> str:
    chain = _chain_providers(found)
    guessed = "" if found.providers else "# No provider found in this repository: a Groq -> OpenRouter starter chain.\n"
    lines = [
        "# aicheck configuration (https://github.com/aicheck/aicheck#configuration).",
        "# Written by `aicheck init` from what it found here; edit freely.",
        "",
        "[scan]",
        'exclude = []                      # globs, gitignore semantics, e.g. "tests/fixtures/**"',
        "",
        "[env]",
        f"files = {_list(found.env_files or ['.env'])}",
    ]
    if found.example_file:
        lines.append(f'example = "{found.example_file}"')
    lines.append(f"required = {_list([key_env(found, p) for p in chain])}")
    framework = next((f for f in found.frameworks if f in ("vite", "next")), None)
    if framework:
        lines.append(f'framework = "{framework}"')
    lines += ["", "# The fallback chain: tried in order, as the app should call its providers.", guessed.rstrip()]
    for provider in chain:
        lines += [
            "[[chain]]",
            f'provider = "{provider}"',
            f'model = "{_default_model(provider)}"',
            f'key_env = "{key_env(found, provider)}"',
            "timeout = 10",
            "",
        ]
    lines += [
        "[resilience]",
        "max_retries = 3",
        "backoff_base_seconds = 0.5",
        "backoff_cap_seconds = 8",
        "breaker_failure_threshold = 5",
        "breaker_cooldown_seconds = 30",
        "requests_per_minute = 30",
        "concurrency = 4",
        "",
        "[budget]",
        "per_run_usd = 0.05",
        "per_day_usd = 1.00",
        "",
        "[cache]",
        "ttl_seconds = 300",
        "max_items = 100",
        "",
        "[[smoke]]",
        'name = "pong"',
        'prompt = "Reply with the single word: pong"',
        "expect = { icontains = \"pong\", max_latency_ms = 3000 }",
        "",
        "[[smoke]]",
        'name = "json"',
        "prompt = 'Return only this JSON object, nothing else: {\"ok\": true}'",
        "expect = { is_json = true, max_latency_ms = 5000 }",
        "",
        "[slo]",
        "availability = 0.999",
        "p95_latency_ms = 3000",
        "error_rate = 0.01",
        "cost_per_request_usd = 0.001",
    ]
    return "\n".join(line for line in lines if line is not None).replace("\n\n\n", "\n\n") + "\n"


def _list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


PRE_COMMIT = """\
repos:
  - repo: https://github.com/aicheck/aicheck
    rev: 2785dddcf3f983cb99ce114eb94d3b38b37cbe40  # a commit of aicheck: there is no release tag yet
    hooks:
      - id: aicheck        # blocks a commit that adds a key
      - id: aicheck-env    # lints .env files when they change
      - id: aicheck-code   # checks the LLM calls in the changed source files
"""


def workflow(found: Discovery) -> str:
    return """\
# aicheck in CI: exposed keys as code-scanning alerts, the health report in the job summary.
name: aicheck
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  security-events: write
jobs:
  aicheck:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0          # the whole history, for `aicheck scan --history`
      - uses: aicheck/aicheck@2785dddcf3f983cb99ce114eb94d3b38b37cbe40  # a commit of aicheck: there is no release tag yet
        with:
          fail-under: "80"
"""
