"""Front-end frameworks: which one the project uses, and the classic mistakes in its client code.

Detection reads package.json dependencies, then the framework's config file; ``[env] framework``
overrides it (``none`` turns detection off). Source checks run for Vite and Next.js:

- Vite: client code reading ``process.env.X`` (undefined in the browser), a secret read through
  ``import.meta.env``, and a vite.config that defines ``process.env`` wholesale.
- Next.js: a ``'use client'`` component reading a NEXT_PUBLIC_ secret (in the bundle) or a server
  variable (undefined in the browser).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from aicheck.env.classify import secret_name
from aicheck.env.context import Context
from aicheck.env.files import display
from aicheck.env.finding import EnvFinding, finding
from aicheck.errors import ConfigError


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    prefix: str  # what it inlines into the browser bundle


FRAMEWORKS = {f.id: f for f in (
    Framework("next", "Next.js", "NEXT_PUBLIC_"),
    Framework("nuxt", "Nuxt", "NUXT_PUBLIC_"),
    Framework("sveltekit", "SvelteKit", "PUBLIC_"),
    Framework("astro", "Astro", "PUBLIC_"),
    Framework("gatsby", "Gatsby", "GATSBY_"),
    Framework("expo", "Expo", "EXPO_PUBLIC_"),
    Framework("cra", "Create React App", "REACT_APP_"),
    Framework("vue-cli", "Vue CLI", "VUE_APP_"),
    Framework("vite", "Vite", "VITE_"),
)}
# Meta-frameworks first: SvelteKit and Astro depend on vite but are not plain Vite apps.
_DEPENDENCIES = (
    ("next", "next"), ("nuxt", "nuxt"), ("@sveltejs/kit", "sveltekit"), ("astro", "astro"),
    ("gatsby", "gatsby"), ("expo", "expo"), ("react-scripts", "cra"), ("@vue/cli-service", "vue-cli"),
    ("vite", "vite"),
)
_CONFIG_FILES = (
    ("next.config", "next"), ("nuxt.config", "nuxt"), ("svelte.config", "sveltekit"), ("astro.config", "astro"),
    ("gatsby-config", "gatsby"), ("vite.config", "vite"),
)
_CONFIG_EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")


def detect(root: Path, configured: str | None, config_path: Path | None) -> tuple[str | None, str]:
    """The framework id (None: none) and how it was decided."""
    if configured is not None:
        if configured == "none":
            return None, f"[env] framework in {config_path}"
        if configured not in FRAMEWORKS:
            raise ConfigError(f"{config_path}: invalid value for 'env.framework': expected one of "
                              f"{', '.join(sorted(FRAMEWORKS))} or none")
        return configured, f"[env] framework in {config_path}"
    dependencies = _dependencies(root / "package.json")
    for package, framework in _DEPENDENCIES:
        if package in dependencies:
            return framework, "package.json"
    for stem, framework in _CONFIG_FILES:
        for extension in _CONFIG_EXTENSIONS:
            if (root / f"{stem}{extension}").is_file():
                return framework, f"{stem}{extension}"
    return None, ""


def _dependencies(package_json: Path) -> set[str]:
    try:
        data = json.loads(package_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(data, dict):
        return set()
    names: set[str] = set()
    for field in ("dependencies", "devDependencies", "peerDependencies"):
        section = data.get(field)
        if isinstance(section, dict):
            names.update(section)
    return names


# Source reading -----------------------------------------------------------------------------

_SKIP_DIRS = frozenset({
    "node_modules", ".git", "dist", "build", "out", ".next", ".nuxt", ".output", ".svelte-kit", ".astro",
    "coverage", ".vercel", ".netlify", ".turbo", ".cache", "vendor", "public", "static", ".venv", "venv",
    "__pycache__", ".aicheck", "storybook-static",
})
# Code that runs on a server or in tests, where process.env is real.
_SERVER_DIRS = frozenset({
    "server", "api", "functions", "netlify", "backend", "scripts", "supabase", "lambda", "workers",
    "test", "tests", "__tests__", "e2e", "cypress", "__mocks__",
})
_SERVER_FILE = re.compile(r"(?:\.config|\.server|\.test|\.spec|\.stories)\.[cm]?[jt]sx?$|^(?:server|entry-server)\.|\.d\.ts$")
_SOURCE_EXTENSIONS = frozenset({".js", ".jsx", ".ts", ".tsx", ".mjs", ".mts", ".vue", ".svelte"})
MAX_SOURCE_SIZE = 1_000_000

_NAME = r"([A-Za-z_$][\w$]*)"
_ACCESS = rf"""(?:\.{_NAME}|\[\s*(['"`])([A-Za-z_$][\w$]*)\2\s*\])"""
_PROCESS_ENV = re.compile(rf"\bprocess\.env{_ACCESS}")
_IMPORT_META_ENV = re.compile(rf"\bimport\.meta\.env{_ACCESS}")
_DESTRUCTURE = re.compile(r"\{([^{}]*)\}\s*=\s*(process\.env|import\.meta\.env)\b(?!\s*[.\[])")
_USE_CLIENT = re.compile(r"""^(?:\s+|//[^\n]*\n|/\*.*?\*/)*(['"])use client\1""", re.DOTALL)
_DEFINE_PROCESS_ENV = re.compile(r"""(['"])process\.env\1\s*:""")
_VITE_BUILTINS = frozenset({"MODE", "BASE_URL", "PROD", "DEV", "SSR"})


@dataclass(frozen=True)
class Read:
    """One variable read in source code."""

    file: str
    line: int
    via: str  # "process.env" or "import.meta.env"
    name: str


def reads(text: str, file: str) -> Iterator[Read]:
    for pattern, via in ((_PROCESS_ENV, "process.env"), (_IMPORT_META_ENV, "import.meta.env")):
        for match in pattern.finditer(text):
            if not _commented(text, match.start()):
                yield Read(file, _line(text, match.start()), via, match.group(1) or match.group(3))
    for match in _DESTRUCTURE.finditer(text):
        if not _commented(text, match.start()):
            for name in _destructured(match.group(1)):
                yield Read(file, _line(text, match.start()), match.group(2), name)


def _destructured(body: str) -> list[str]:
    names = (part.split(":")[0].split("=")[0].strip() for part in body.split(","))
    return [name for name in names if re.fullmatch(r"[A-Za-z_$][\w$]*", name)]


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _commented(text: str, offset: int) -> bool:
    start = text.rfind("\n", 0, offset) + 1
    before = text[start:offset]
    return "//" in before or before.lstrip().startswith(("*", "/*"))


def sources(root: Path, client_only: bool) -> Iterator[Path]:
    base = root / "src" if client_only and (root / "src").is_dir() else root
    skip = _SKIP_DIRS | (_SERVER_DIRS if client_only else frozenset())
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in skip and not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix in _SOURCE_EXTENSIONS and not (client_only and _SERVER_FILE.search(name)) and _small(path):
                yield path


def _small(path: Path) -> bool:
    try:
        return path.stat().st_size <= MAX_SOURCE_SIZE
    except OSError:
        return False


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


# The checks ---------------------------------------------------------------------------------

IsSecret = Callable[[str], bool]


def check(ctx: Context, secret_values: set[str]) -> Iterator[EnvFinding]:
    """Source checks for the detected framework; ``secret_values`` are the keys whose values in
    the .env files are secrets (a name alone decides for keys the files do not set)."""
    def is_secret(name: str) -> bool:
        if name in secret_values:
            return True
        return ctx.classifier.provider_for(name) is not None or secret_name(name)

    found = vite(ctx, is_secret) if ctx.framework == "vite" else next_js(ctx, is_secret) if ctx.framework == "next" else iter(())
    for item in found:
        yield design_warning(item) if item.check in _PUBLISHING and item.key not in secret_values else item


# Client code that publishes a secret's value, when the value exists.
_PUBLISHING = ("env.next-client-secret", "env.vite-import-meta-secret")


def design_warning(item: EnvFinding) -> EnvFinding:
    """Client code reading a secret no .env file here sets: nothing is exposed yet, but the
    first deploy that sets it publishes it. A design warning (low), not an exposure."""
    item.severity = "low"
    item.message += "; no .env file here sets it, so nothing is exposed yet (design warning)"
    return item


def vite(ctx: Context, is_secret: IsSecret) -> Iterator[EnvFinding]:
    yield from _vite_define(ctx)
    for path in sources(ctx.root, client_only=True):
        text = _text(path)
        if text is None or ("process.env" not in text and "import.meta.env" not in text):
            continue
        for read in reads(text, display(path, ctx.root)):
            if read.via == "process.env" and read.name != "NODE_ENV":
                yield finding("env.vite-process-env", read.file, read.line, read.name,
                              f"Client code reads process.env.{read.name}: Vite does not define process.env in "
                              f"the browser, so it is undefined at runtime")
            elif read.via == "import.meta.env" and read.name not in _VITE_BUILTINS and is_secret(read.name):
                yield _vite_secret(read)


def _vite_secret(read: Read) -> EnvFinding:
    if read.name.startswith("VITE_"):
        message = (f"Client code reads the secret {read.name} through import.meta.env: Vite inlines its value "
                   f"into the JavaScript bundle, where anyone can read it")
    else:
        message = (f"Client code reads the server-only secret {read.name} through import.meta.env: Vite leaves it "
                   f"undefined in the browser, and renaming it VITE_{read.name} would publish it in the bundle")
    return finding("env.vite-import-meta-secret", read.file, read.line, read.name, message)


def _vite_define(ctx: Context) -> Iterator[EnvFinding]:
    for extension in _CONFIG_EXTENSIONS:
        path = ctx.root / f"vite.config{extension}"
        text = _text(path) if path.is_file() else None
        match = _DEFINE_PROCESS_ENV.search(text) if text else None
        if text and match:
            yield finding("env.vite-define-env", display(path, ctx.root), _line(text, match.start()), None,
                          f"{path.name} defines process.env as a whole: every variable the client code reads, "
                          f"secrets included, is inlined into the bundle")


def next_js(ctx: Context, is_secret: IsSecret) -> Iterator[EnvFinding]:
    for path in sources(ctx.root, client_only=False):
        text = _text(path)
        if text is None or "process.env" not in text or not _USE_CLIENT.match(text):
            continue
        for read in reads(text, display(path, ctx.root)):
            if read.via != "process.env" or read.name == "NODE_ENV":
                continue
            if read.name.startswith("NEXT_PUBLIC_"):
                if is_secret(read.name):
                    yield finding("env.next-client-secret", read.file, read.line, read.name,
                                  f"Client component reads {read.name}, a secret: Next.js inlines NEXT_PUBLIC_ "
                                  f"variables into the browser bundle")
            else:
                yield finding("env.next-client-server-env", read.file, read.line, read.name,
                              f"Client component reads process.env.{read.name}: Next.js inlines only NEXT_PUBLIC_ "
                              f"variables, so it is undefined in the browser")
