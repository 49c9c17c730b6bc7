"""``aicheck init``: a starter config, pre-commit lines and a CI workflow for a repository."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aicheck.errors import AicheckError
from aicheck.init import templates
from aicheck.init.discover import Discovery, discover

GITIGNORE_LINE = ".aicheck/"


@dataclass
class InitResult:
    discovery: Discovery
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # existed already; --force overwrites
    snippets: dict[str, str] = field(default_factory=dict)  # what to paste where, when not written


def run_init(
    root: Path, *, force: bool = False, write_precommit: bool = False, write_workflow: bool = False, config_name: str = "aicheck.toml",
) -> InitResult:
    if not root.is_dir():
        raise AicheckError(f"{root}: not a folder")
    result = InitResult(discover(root))
    _write(root, config_name, templates.config_toml(result.discovery), force, result)
    precommit = templates.PRE_COMMIT
    if write_precommit:
        _write(root, ".pre-commit-config.yaml", precommit, force, result)
    else:
        result.snippets[".pre-commit-config.yaml"] = precommit
    flow = templates.workflow(result.discovery)
    if write_workflow:
        _write(root, ".github/workflows/aicheck.yml", flow, force, result)
    else:
        result.snippets[".github/workflows/aicheck.yml"] = flow
    _ignore_state(root, result)
    return result


def _inside(path: Path, root: Path) -> bool:
    """A committed symlink (aicheck.toml -> ~/.bashrc) must not make init write outside the repository."""
    from aicheck import trust

    return not path.is_symlink() and trust.inside(path, root)


def _write(root: Path, name: str, text: str, force: bool, result: InitResult) -> None:
    path = root / name
    if (path.exists() or path.is_symlink()) and not force:
        result.kept.append(name)
        return
    if not _inside(path, root):
        raise AicheckError(f"{path}: a symlink, or a path leading outside the repository; aicheck init writes only inside {root}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise AicheckError(f"{path}: cannot write: {exc.strerror}") from None
    result.written.append(name)


def _ignore_state(root: Path, result: InitResult) -> None:
    """``.aicheck/`` (cache, spend ledger, run history) never belongs in git."""
    path = root / ".gitignore"
    if path.is_symlink() or not _inside(path, root):
        result.kept.append(".gitignore (a symlink: not followed; add .aicheck/ to the ignore file yourself)")
        return
    try:
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        if any(line.strip() in (GITIGNORE_LINE, ".aicheck", "/.aicheck/", "/.aicheck") for line in text.splitlines()):
            return
        separator = "" if not text or text.endswith("\n") else "\n"
        path.write_text(f"{text}{separator}{GITIGNORE_LINE}\n", encoding="utf-8")
    except OSError as exc:
        raise AicheckError(f"{path}: cannot write: {exc.strerror}") from None
    result.written.append(".gitignore")
