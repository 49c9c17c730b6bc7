"""Which .env files a run reads, how they layer, and reading them without trusting their bytes."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from aicheck.errors import AicheckError

# The template an app's README says to copy, most common first: Next.js examples ship
# .env.local.example (vercel/next.js examples/*), Symfony .env.dist, some Python projects env.example.
EXAMPLE_NAMES = (
    ".env.example", ".env.local.example", ".env.sample", ".env.template", ".env.dist", "env.example", "example.env",
    ".env-example", ".env.example.local", ".env.local.sample", ".env.local.template", ".env.development.example",
)
KEYS_FILE = ".env.keys"
DEFAULT_MAX_SIZE = 1_000_000

# The files an app loads, in the order later ones override earlier ones (Vite, Next.js,
# dotenv-flow): a local dev run, and a production build or deploy. .env.local is a developer's
# machine; a production deploy does not have it.
DEV_LAYERS = (".env", ".env.local", ".env.development", ".env.development.local")
PRODUCTION_LAYERS = (".env", ".env.production", ".env.prod", ".env.production.local")

# .env.* names that are not env files an app loads: templates, dotenvx and dotenv-vault
# companions, files encrypted by other tools, editor and backup leftovers, other formats.
_NOT_ENV = re.compile(
    r"\.(?:example|sample|template|dist|keys|vault|me|gpg|pgp|enc|age|asc|sops|swp|swo|swx|tmp"
    r"|md|txt|json|ya?ml|toml|js|cjs|mjs|ts|py|sh)$|~$",
    re.IGNORECASE,
)
_GLOB = re.compile(r"[*?\[]")


@dataclass
class Source:
    """A file's text, or why there is none (binary, not UTF-8, too large)."""

    path: Path
    name: str  # shown in findings: relative to the root, '/' separated
    text: str | None
    problem: str = ""
    line: int = 0  # where the problem is, when it has a place


def display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def is_env_name(name: str) -> bool:
    return name == ".env" or (name.startswith(".env.") and not _NOT_ENV.search(name))


def discover(root: Path) -> list[Path]:
    """The .env files in the project root, the ones an app loads first."""
    try:
        names = sorted(entry.name for entry in os.scandir(root) if is_env_name(entry.name) and entry.is_file())
    except OSError as exc:
        raise AicheckError(f"{root}: cannot list the folder: {exc.strerror}") from None
    order = {name: index for index, name in enumerate(dict.fromkeys(DEV_LAYERS + PRODUCTION_LAYERS))}
    return [root / name for name in sorted(names, key=lambda n: (order.get(n, len(order)), n))]


def select(root: Path, named: list[Path], configured: list[str], outside_ok: bool = True) -> tuple[list[Path], bool]:
    """The files to check and whether the user chose them (--file, then [env] files). Files the
    user named on the command line are theirs; the others must stay inside ``root`` (symlinks
    resolved) unless ``outside_ok`` (a trusted config)."""
    if named:
        for path in named:
            if not path.is_file():
                what = "is a folder" if path.is_dir() else "not found"
                raise AicheckError(f"{path}: {what} (--file names a .env file)")
        return list(dict.fromkeys(named)), True
    if configured:
        # Configured files that do not exist are fine: in CI the values come from the environment.
        paths = list(dict.fromkeys(p for entry in configured for p in _expand(root, entry)))
        return _contained(paths, root, outside_ok, "[env] files"), True
    return _contained(discover(root), root, outside_ok, "env file"), False


def _contained(paths: list[Path], root: Path, outside_ok: bool, what: str) -> list[Path]:
    from aicheck import trust

    for path in paths:
        if not outside_ok and not trust.inside(path, root):
            raise trust.refuse_path(path, root, what)
    return paths


def _expand(root: Path, entry: str) -> list[Path]:
    if _GLOB.search(entry):
        return sorted(p for p in root.glob(entry) if p.is_file())
    path = root / entry
    return [path] if path.is_file() else []


def example(
    root: Path, named: Path | None, configured: str | None, config_path: Path | None, outside_ok: bool = True
) -> Path | None:
    """The example file: --example, then [env] example, then the first of EXAMPLE_NAMES present."""
    if named is not None:
        if not named.is_file():
            raise AicheckError(f"{named}: example file not found (--example); create it or name another one")
        return named
    if configured is not None:
        path = _contained([root / str(configured)], root, outside_ok, "[env] example")[0]
        if not path.is_file():
            raise AicheckError(f"{path}: example file not found ([env] example in {config_path}); create it or name another one")
        return path
    found = next((root / name for name in EXAMPLE_NAMES if (root / name).is_file()), None)
    return _contained([found], root, outside_ok, "example file")[0] if found else None


def copy_target(example: str) -> str:
    """The file an example is copied to: .env.local.example -> .env.local, env.example -> .env."""
    name = example.rsplit("/", 1)[-1]
    for word in (".example", ".sample", ".template", ".dist", "-example"):
        name = name.replace(word, "")
    name = name.replace("example.env", ".env")
    return name if name.startswith(".env") else ".env"


def layered(paths: list[Path], root: Path, production: bool, chosen: bool) -> list[Path]:
    """The files the app loads together, lowest precedence first: drift and production checks
    look at what the app sees, not at each file alone. Files the user chose all count."""
    if chosen:
        return list(paths)
    wanted = PRODUCTION_LAYERS if production else DEV_LAYERS
    present = {path.name: path for path in paths if path.parent.resolve() == root.resolve()}
    return [present[name] for name in wanted if name in present]


def read(path: Path, root: Path, max_size: int) -> Source:
    name = display(path, root)
    try:
        size = path.stat().st_size
        if size > max_size:
            return Source(path, name, None, f"{_mb(size)} is larger than the {_mb(max_size)} limit for a .env file ([env] max_file_size)")
        data = path.read_bytes()
    except OSError as exc:
        return Source(path, name, None, f"cannot read it: {exc.strerror}")
    return decode(path, name, data)


def decode(path: Path, name: str, data: bytes) -> Source:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Source(path, name, None, "it is UTF-16 text; python-dotenv reads UTF-8 (save it as UTF-8)", 1)
    nul = data.find(b"\0")
    if nul >= 0:
        return Source(path, name, None, "it is a binary file (NUL byte), not KEY=value text", _line_at(data, nul))
    try:
        return Source(path, name, data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        problem = f"it is not valid UTF-8 (byte 0x{data[exc.start]:02x}); python-dotenv fails to load it"
        return Source(path, name, None, problem, _line_at(data, exc.start))


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} KB"
