"""The trust boundary (DESIGN.md, "Trust"): what a repository's config may make aicheck do.

A repository's aicheck.toml is untrusted: it may configure checks, but a setting that could send
a credential anywhere other than a built-in provider's official https host, or read credentials
outside the repository, is refused until the user trusts that exact file with ``aicheck trust``.
Trust is the sha256 of the file's bytes, recorded in the user's config folder (outside every
repository), so any edit un-trusts it. Files in that folder are the user's own and always trusted;
so is the environment (``AICHECK_<PROVIDER>_BASE_URL``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aicheck.errors import ConfigError

if TYPE_CHECKING:
    from aicheck.config import Config

APP = "aicheck"
RECORDS = "trusted.json"
SEND, READ = "send", "read"  # what a risky setting could do: send a key, read a file outside the repo


class TrustError(ConfigError):
    """A setting of an untrusted config was refused (exit 2, before anything is sent or read)."""


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The user's config folder: %APPDATA%\\aicheck on Windows, else $XDG_CONFIG_HOME/aicheck
    (default ~/.config/aicheck)."""
    environ = os.environ if env is None else env
    if sys.platform == "win32" and environ.get("APPDATA"):
        return Path(environ["APPDATA"]) / APP
    base = environ.get("XDG_CONFIG_HOME", "").strip()
    return (Path(base) if base and Path(base).is_absolute() else Path.home() / ".config") / APP


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    path: str  # the file, absolute and resolved
    sha256: str
    trusted_at: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "sha256": self.sha256, "trusted_at": self.trusted_at}


def _records_file() -> Path:
    return config_dir() / RECORDS


def records() -> list[Record]:
    path = _records_file()
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError, RecursionError) as exc:
        raise ConfigError(f"{path}: cannot read the trust records ({type(exc).__name__}); delete the file to start again") from None
    entries = document.get("trusted", []) if isinstance(document, dict) else []
    return [
        Record(str(e["path"]), str(e["sha256"]), str(e.get("trusted_at", "")))
        for e in entries if isinstance(e, dict) and "path" in e and "sha256" in e
    ]


def _save(entries: list[Record]) -> None:
    path = _records_file()
    document = {"aicheck_trust": 1, "trusted": [entry.to_dict() for entry in sorted(entries, key=lambda e: e.path)]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{RECORDS}.{os.getpid()}")
        temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the trust records: {exc.strerror}") from None


def record(path: Path, sha256: str) -> Record:
    """Trust ``path`` with exactly these bytes (an earlier record of the same file is replaced)."""
    key = str(path.resolve())
    entry = Record(key, sha256, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    _save([e for e in records() if e.path != key] + [entry])
    return entry


def revoke(path: Path) -> bool:
    key = str(path.resolve())
    kept = [e for e in records() if e.path != key]
    if len(kept) == len(records()):
        return False
    _save(kept)
    return True


def is_trusted(path: Path, sha256: str) -> bool:
    """The user's own file (in their config folder), or one trusted with exactly these bytes."""
    resolved = path.resolve()
    if _inside(resolved, config_dir().resolve()):
        return True
    return any(e.path == str(resolved) and e.sha256 == sha256 for e in records())


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def inside(path: Path, root: Path) -> bool:
    """Is ``path``, after resolving symlinks, inside ``root``?"""
    try:
        return _inside(path.resolve(), root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


# --- what a config could do ------------------------------------------------------------------


@dataclass(frozen=True)
class Risk:
    setting: str  # as the user writes it: "[providers.openai] base_url"
    what: str  # what it would do: "sends OPENAI keys to http://…"
    kind: str  # SEND or READ


def risks(data: Mapping[str, Any], root: Path) -> list[Risk]:
    """Every setting of a config that could send a credential off the official hosts or read a
    file outside ``root``. Pure: nothing is sent or read (paths are resolved, not opened)."""
    from aicheck import catalog

    known = {provider.id: provider for provider in catalog.load().providers}
    found = [r for pid, entry in data.get("providers", {}).items() for r in _provider_risks(pid, entry, known)]
    for index, link in enumerate(data.get("chain", [])):
        found += _chain_risks(index, link, known)
    return found + _budget_risks(data.get("budget", {})) + _file_risks(data.get("env", {}), root)


def _budget_risks(budget: Mapping[str, Any]) -> list[Risk]:
    """The day's budget is what a smoke run may spend with the user's keys: a repository may lower
    it, not raise it."""
    from aicheck.resilience.budget import DEFAULT_PER_DAY_USD

    day = budget.get("per_day_usd")
    if day is None or day <= DEFAULT_PER_DAY_USD:
        return []
    return [Risk("[budget] per_day_usd", f"lets smoke runs spend up to ${day:g} a day with your keys "
                 f"(more than the default ${DEFAULT_PER_DAY_USD:.2f})", SEND)]


def _provider_risks(provider_id: str, entry: Mapping[str, Any], known: Mapping[str, Any]) -> list[Risk]:
    setting = f"[providers.{provider_id}]"
    provider = known.get(provider_id)
    if provider is None:
        where = entry.get("base_url") or "the URL in AICHECK_" + provider_id.upper().replace("-", "_") + "_BASE_URL"
        names = [*entry.get("env_vars", []), *([entry["key_env"]] if "key_env" in entry else [])]
        what = f"a provider that is not in the catalog: sends {', '.join(names) or 'keys'} to {where}"
        return [Risk(setting, what, SEND)]
    found = _price_risks(provider_id, entry)
    if "base_url" in entry and not official(provider_id, str(entry["base_url"])):
        found.append(Risk(f"{setting} base_url", f"sends {provider.name} keys to {entry['base_url']}, not to {provider.base_url}", SEND))
    for name in [*entry.get("env_vars", []), *([entry["key_env"]] if "key_env" in entry else [])]:
        if name not in provider.env_vars:
            found.append(Risk(f"{setting} {'key_env' if name == entry.get('key_env') else 'env_vars'}",
                              f"sends the value of {name}, which is not a {provider.name} variable, to {provider.name}", SEND))
    return found


def _price_risks(provider_id: str, entry: Mapping[str, Any]) -> list[Risk]:
    """A price below the catalog's would let the budget under-count what the user pays."""
    from aicheck import catalog

    shipped = catalog.prices().get(provider_id, {})
    cheaper = [model for model, price in entry.get("prices", {}).items() if model in shipped
               and (price["input"] < shipped[model].input or price["output"] < shipped[model].output)]
    if not cheaper:
        return []
    return [Risk(f"[providers.{provider_id}] prices", f"prices {', '.join(cheaper)} below the catalog, so the budget would "
                 "under-count what your key spends", SEND)]


def _chain_risks(index: int, link: Mapping[str, Any], known: Mapping[str, Any]) -> list[Risk]:
    provider = known.get(str(link.get("provider")))
    found = []
    if provider is not None and link.get("key_env") and link["key_env"] not in provider.env_vars:
        found.append(Risk(f"[[chain]] #{index + 1} key_env", f"sends the value of {link['key_env']}, which is not a "
                          f"{provider.name} variable, to {provider.name}", SEND))
    if link.get("base_url") and (provider is None or not official(provider.id, str(link["base_url"]))):
        found.append(Risk(f"[[chain]] #{index + 1} base_url", f"sends {link.get('key_env') or 'the key'} to {link['base_url']}", SEND))
    return found


def _file_risks(env: Mapping[str, Any], root: Path) -> list[Risk]:
    found = []
    for name in env.get("files", []):
        if not _stays_inside(root, name):
            found.append(Risk("[env] files", f"reads {name}, outside the repository", READ))
    example = env.get("example")
    if example is not None and not _stays_inside(root, str(example)):
        found.append(Risk("[env] example", f"reads {example}, outside the repository", READ))
    return found


def _stays_inside(root: Path, entry: str) -> bool:
    """A configured path (or glob) that cannot reach out of the repository (symlinks resolved;
    the files a glob matches are checked again when it is expanded)."""
    if any(char in entry for char in "*?["):
        return not (Path(entry).is_absolute() or entry.startswith("~") or ".." in Path(entry).parts)
    return inside(root / entry, root)


def official(provider_id: str, url: str) -> bool:
    """Is ``url`` the provider's own https host in the catalog (where its keys go anyway)?"""
    from aicheck.transport import same_host

    hosts = official_urls(provider_id)
    return any(same_host(url, home) for home in hosts)


def official_urls(provider_id: str) -> list[str]:
    from aicheck import catalog

    provider = catalog.load().provider(provider_id)
    if provider is None or not provider.base_url:
        return []
    chat_url = provider.extra.get("chat", {}).get("base_url")
    others = [f"https://{host}" for host in provider.hosts]  # data-residency hosts, a second Google API
    return [url for url in (provider.base_url, chat_url, *others) if isinstance(url, str) and url.startswith("https://")]


# --- refusing ------------------------------------------------------------------------------------


def require(cfg: Config, *, send: bool = True, read: bool = True) -> None:
    """Refuse (TrustError, exit 2) an untrusted config whose settings would send a key off the
    official hosts (``send``) or read a file outside the repository (``read``)."""
    if cfg.trusted or cfg.path is None:
        return
    found = [r for r in risks(cfg.data, cfg.root) if (r.kind == SEND and send) or (r.kind == READ and read)]
    if found:
        raise TrustError(refusal(cfg.path, found))


def refusal(path: Path, found: list[Risk]) -> str:
    first = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return (f"{path}: {first.setting} {first.what}{more}; this file is not trusted: review it and run "
            f"'aicheck trust' to allow it")


def refuse_path(path: Path, root: Path, what: str) -> TrustError:
    """The error for an env file that resolves outside the repository (a symlink)."""
    try:
        target = str(path.resolve())
    except (OSError, RuntimeError):
        target = "a symlink loop"
    return TrustError(f"{path}: {what} resolves outside the repository ({target}); aicheck reads credentials outside "
                      f"{root} only from a trusted config: list it in [env] files and run 'aicheck trust', or name it on the command line")


# --- what ``aicheck trust`` shows ------------------------------------------------------------------


@dataclass
class Review:
    """What a config would make aicheck do with keys and files, for a person to judge."""

    path: Path
    sha256: str
    trusted: bool
    hosts: list[str]  # "openai: https://api.openai.com/v1 (catalog)"
    variables: list[str]  # env vars whose values would be sent, with where to
    files: list[str]  # env files read
    risks: list[Risk]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path), "sha256": self.sha256, "trusted": self.trusted, "hosts": self.hosts,
            "variables": self.variables, "files": self.files,
            "risks": [{"setting": r.setting, "what": r.what, "kind": r.kind} for r in self.risks],
        }


def review(cfg: Config, data: bytes) -> Review:
    """What ``cfg`` (read from ``data``) would do: the hosts keys go to, the variables sent, the files read."""
    from aicheck.validate.endpoints import known_providers

    assert cfg.path is not None
    providers = known_providers(cfg.section("providers"), cfg.data.get("chain", []))
    used = list(dict.fromkeys([*cfg.section("providers"), *(str(link.get("provider")) for link in cfg.data.get("chain", []))]))
    hosts, variables = [], []
    for provider_id in used:
        provider = providers.get(provider_id)
        if provider is None:
            continue
        url = _where(provider_id, cfg)
        hosts.append(f"{provider_id}: {url}")
        variables += [f"{name} -> {url}" for name in provider.env_vars]
    env = cfg.section("env")
    files = [*env.get("files", []), *([env["example"]] if "example" in env else [])]
    return Review(cfg.path, digest(data), cfg.trusted, hosts, list(dict.fromkeys(variables)), files, risks(cfg.data, cfg.root))


def _where(provider_id: str, cfg: Config) -> str:
    from aicheck import catalog

    for link in cfg.data.get("chain", []):
        if link.get("provider") == provider_id and link.get("base_url"):
            return str(link["base_url"])
    configured = cfg.section("providers").get(provider_id, {}).get("base_url")
    if configured:
        return str(configured)
    provider = catalog.load().provider(provider_id)
    return provider.base_url if provider is not None and provider.base_url else "(no URL: set AICHECK_<PROVIDER>_BASE_URL)"
