"""What every env check may read: the settings from ``[env]`` and ``[[chain]]``, the environment,
the catalog's classifier, the framework. Built once per run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicheck.config import Config
from aicheck.env.classify import Classifier
from aicheck.env.files import DEFAULT_MAX_SIZE
from aicheck.env.finding import CHECKS
from aicheck.errors import ConfigError


@dataclass(frozen=True)
class Settings:
    files: list[str] = field(default_factory=list)
    example: str | None = None
    required: list[str] = field(default_factory=list)
    framework: str | None = None
    patterns: dict[str, str] = field(default_factory=dict)
    disable: frozenset[str] = frozenset()
    max_size: int = DEFAULT_MAX_SIZE
    chain: list[dict[str, Any]] = field(default_factory=list)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)  # [providers.<id>]

    @classmethod
    def from_config(cls, cfg: Config) -> Settings:
        env = cfg.section("env")
        unknown = [name for name in env.get("disable", []) if name not in CHECKS]
        if unknown:
            raise ConfigError(f"{cfg.path}: invalid value for 'env.disable': unknown check id {unknown[0]!r} "
                              f"(ids are listed in README.md, 'aicheck env check')")
        chain = cfg.data.get("chain", [])
        return cls(
            files=env.get("files", []), example=env.get("example"), required=env.get("required", []),
            framework=env.get("framework"), patterns=env.get("patterns", {}),
            disable=frozenset(env.get("disable", [])), max_size=env.get("max_file_size", DEFAULT_MAX_SIZE),
            chain=chain if isinstance(chain, list) else [], providers=cfg.section("providers"),
        )


@dataclass
class Context:
    root: Path
    settings: Settings
    classifier: Classifier
    environ: Mapping[str, str]
    production: bool = False
    config_path: Path | None = None
    framework: str | None = None  # id from aicheck.env.frameworks, None when none is found
    framework_origin: str = ""  # "package.json", "vite.config.ts", "[env] framework in aicheck.toml"
    top: Path | None = None  # the git work tree, None outside one
    loader: str = ""  # what loads the .env files, in the app's terms: "Next.js", "Vite", "dotenv", "python-dotenv"

    def pattern_for(self, key: str) -> str | None:
        from fnmatch import fnmatchcase

        return next((regex for name, regex in self.settings.patterns.items() if fnmatchcase(key, name)), None)

    def config_name(self) -> str:
        return self.config_path.name if self.config_path else "aicheck.toml"
