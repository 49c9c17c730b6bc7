"""Framework detection and the source checks for Vite and Next.js, on real project layouts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicheck.env.frameworks import detect
from aicheck.errors import ConfigError
from tests.envkit import check, found, keys, write
from tests.keygen import KEYGEN


def _package(*deps: str) -> str:
    return json.dumps({"name": "app", "dependencies": {d: "*" for d in deps}, "devDependencies": {}})


@pytest.mark.parametrize("files,expected", [
    ({"package.json": _package("react", "vite")}, "vite"),
    ({"package.json": _package("next", "react")}, "next"),
    ({"package.json": _package("@sveltejs/kit", "vite")}, "sveltekit"),  # a meta-framework wins over vite
    ({"package.json": _package("astro", "vite")}, "astro"),
    ({"package.json": _package("react-scripts")}, "cra"),
    ({"vite.config.ts": "export default {}\n"}, "vite"),
    ({"next.config.mjs": "export default {}\n"}, "next"),
    ({"package.json": "{not json"}, None),
    ({}, None),
])
def test_detection(tmp_path: Path, files: dict[str, str], expected: str | None) -> None:
    assert detect(write(tmp_path, files), None, None)[0] == expected


def test_config_overrides_and_validates_the_framework(tmp_path: Path) -> None:
    root = write(tmp_path, {"package.json": _package("vite")})
    assert detect(root, "next", root / "aicheck.toml")[0] == "next"
    assert detect(root, "none", root / "aicheck.toml")[0] is None
    with pytest.raises(ConfigError, match="env.framework"):
        detect(root, "angular", root / "aicheck.toml")


VITE_APP = {
    "package.json": _package("vite", "react"),
    "src/api.ts": (
        "// process.env.IN_A_COMMENT is not code\n"
        "export const key = process.env.OPENAI_API_KEY\n"
        "const mode = process.env.NODE_ENV\n"
        "const { GROQ_API_KEY } = process.env\n"
    ),
    "src/chat.tsx": (
        "const url = import.meta.env.VITE_API_URL\n"
        "const key = import.meta.env.VITE_OPENAI_API_KEY\n"
        "const server = import.meta.env.ANTHROPIC_API_KEY\n"
        "const dev = import.meta.env.DEV\n"
    ),
    "src/server/handler.ts": "const key = process.env.OPENAI_API_KEY\n",
    "src/chat.test.ts": "process.env.OPENAI_API_KEY = 'test'\n",
    "server/index.js": "const key = process.env.OPENAI_API_KEY\n",
    "vite.config.ts": "export default { server: { port: Number(process.env.PORT) } }\n",
}


def test_vite_client_code_reading_process_env(tmp_path: Path) -> None:
    result = check(write(tmp_path, VITE_APP))
    items = found(result, "env.vite-process-env")
    assert [(i.file, i.line, i.key) for i in items] == [("src/api.ts", 2, "OPENAI_API_KEY"), ("src/api.ts", 4, "GROQ_API_KEY")]
    assert "undefined" in items[0].message
    assert found(result, "env.vite-define-env") == []  # reading process.env.PORT in vite.config is fine


def test_vite_secrets_read_through_import_meta_env(tmp_path: Path) -> None:
    result = check(write(tmp_path, VITE_APP))
    items = {i.key: i for i in found(result, "env.vite-import-meta-secret")}
    assert set(items) == {"VITE_OPENAI_API_KEY", "ANTHROPIC_API_KEY"}
    assert "bundle" in items["VITE_OPENAI_API_KEY"].message and "undefined" in items["ANTHROPIC_API_KEY"].message


def test_a_secret_value_in_env_decides_for_a_neutral_name(tmp_path: Path) -> None:
    files = {"package.json": _package("vite"), ".env": f"VITE_LLM={KEYGEN['groq-api-key']()}\nVITE_TITLE=Chat\n",
             "src/main.ts": "fetch(x, {headers: {a: import.meta.env.VITE_LLM, t: import.meta.env.VITE_TITLE}})\n"}
    assert keys(check(write(tmp_path, files)), "env.vite-import-meta-secret") == ["VITE_LLM"]


def test_vite_config_defining_process_env_is_critical(tmp_path: Path) -> None:
    config = "export default defineConfig(({ mode }) => ({\n  define: {\n    'process.env': loadEnv(mode, process.cwd(), '')\n  }\n}))\n"
    result = check(write(tmp_path, {"package.json": _package("vite"), "vite.config.ts": config}))
    (item,) = found(result, "env.vite-define-env")
    assert (item.file, item.line, item.severity) == ("vite.config.ts", 3, "critical")


def test_source_checks_follow_the_framework(tmp_path: Path) -> None:
    files = dict(VITE_APP, **{"package.json": _package("next")})
    result = check(write(tmp_path, files))
    assert found(result, "env.vite-process-env") == [] and "env.vite-process-env" not in result.checks


NEXT_APP = {
    "package.json": _package("next", "react"),
    ".env": f"NEXT_PUBLIC_OPENAI_API_KEY={KEYGEN['openai-api-key']()}\nNEXT_PUBLIC_SITE_NAME=Chat\n",
    "app/chat/page.tsx": (
        '"use client";\n'
        "import { useState } from 'react'\n"
        "const key = process.env.NEXT_PUBLIC_OPENAI_API_KEY\n"
        "const site = process.env.NEXT_PUBLIC_SITE_NAME\n"
        "const server = process.env.DATABASE_URL\n"
        "const mode = process.env.NODE_ENV\n"
    ),
    "app/api/chat/route.ts": "const key = process.env.OPENAI_API_KEY\nconst pub = process.env.NEXT_PUBLIC_OPENAI_API_KEY\n",
    "components/Widget.jsx": "// a comment first\n'use client'\nexport const k = process.env.NEXT_PUBLIC_GROQ_API_KEY\n",
}


def test_next_client_components(tmp_path: Path) -> None:
    result = check(write(tmp_path, NEXT_APP))
    secrets = [(i.file, i.line, i.key) for i in found(result, "env.next-client-secret")]
    assert secrets == [("app/chat/page.tsx", 3, "NEXT_PUBLIC_OPENAI_API_KEY"), ("components/Widget.jsx", 3, "NEXT_PUBLIC_GROQ_API_KEY")]
    assert [(i.file, i.key) for i in found(result, "env.next-client-server-env")] == [("app/chat/page.tsx", "DATABASE_URL")]
    assert keys(result, "env.client-exposed-secret") == ["NEXT_PUBLIC_OPENAI_API_KEY"]  # the .env line itself


def test_next_server_code_is_not_a_client_component(tmp_path: Path) -> None:
    files = {k: v for k, v in NEXT_APP.items() if k not in ("app/chat/page.tsx", "components/Widget.jsx")}
    result = check(write(tmp_path, files))
    assert found(result, "env.next-client-secret") == [] and found(result, "env.next-client-server-env") == []


def test_allow_marker_in_source(tmp_path: Path) -> None:
    files = {"package.json": _package("vite"), "src/a.ts": "const k = process.env.API_BASE // aicheck:allow env.vite-process-env\n"}
    result = check(write(tmp_path, files))
    assert found(result, "env.vite-process-env") == [] and result.allowed == 1
