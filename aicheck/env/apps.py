"""Apps in a folder: the app folders below the root that have .env files of their own (a
monorepo's apps and examples), and what loads the .env files of an app, in its own terms."""

from __future__ import annotations

import os
from pathlib import Path

from aicheck import git
from aicheck.env.files import EXAMPLE_NAMES, is_env_name
from aicheck.severity import is_test_location

MAX_APPS = 200
MAX_DEPTH = 8
# Folders that hold installed or generated code, never an app of the repository.
_SKIP = frozenset({
    "node_modules", ".git", ".venv", "venv", "env", "__pycache__", "dist", "build", ".next", ".nuxt", ".svelte-kit",
    "site-packages", ".tox", ".mypy_cache", ".pytest_cache", "vendor", "target", ".aicheck",
})
# Framework id (aicheck.env.frameworks) -> what loads .env files in such an app.
_LOADERS = {
    "next": "Next.js", "vite": "Vite", "nuxt": "Nuxt", "sveltekit": "SvelteKit (Vite)", "astro": "Astro (Vite)",
    "gatsby": "Gatsby", "expo": "Expo", "cra": "Create React App", "vue-cli": "Vue CLI",
}
_PYTHON_FILES = ("pyproject.toml", "requirements.txt", "setup.py", "setup.cfg", "Pipfile", "manage.py")


def is_app_file(name: str) -> bool:
    return name in EXAMPLE_NAMES or is_env_name(name)


def nested(root: Path) -> list[str]:
    """Folders below ``root`` (relative, '/' separated) with an example or .env file: from git's
    file list inside a repository (ignored folders such as node_modules never count), else a walk."""
    top = git.toplevel(root.resolve())
    names = _from_git(root, top) if top is not None else _from_walk(root)
    folders = sorted({name.rsplit("/", 1)[0] for name in names if "/" in name and is_app_file(name.rsplit("/", 1)[1])})
    return [
        folder for folder in folders
        if folder.count("/") < MAX_DEPTH and not set(folder.split("/")) & _SKIP and not is_test_location(f"{folder}/.env")
    ][:MAX_APPS]  # test fixtures are not apps (scan still reads their secrets)


def _from_git(root: Path, top: Path) -> list[str]:
    try:
        raw = git.run(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.env*", "*env.example", "*example.env"], root)
    except git.GitError:  # a broken repository: walk the folder instead
        return _from_walk(root)
    return [name for name in raw.decode("utf-8", "replace").split("\0") if name]


def _from_walk(root: Path) -> list[str]:
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        depth = Path(folder).relative_to(root).parts
        dirs[:] = sorted(d for d in dirs if d not in _SKIP and len(depth) < MAX_DEPTH)
        found += [Path(folder, name).relative_to(root).as_posix() for name in files if is_app_file(name)]
        if len(found) > MAX_APPS * 4:
            break
    return found


def loader(root: Path, framework: str | None) -> str:
    """What loads the app's .env files: the framework, else dotenv (Node) or python-dotenv."""
    if framework in _LOADERS:
        return _LOADERS[framework]
    if (root / "package.json").is_file() and not any((root / name).is_file() for name in _PYTHON_FILES):
        return "dotenv"
    return "python-dotenv"
