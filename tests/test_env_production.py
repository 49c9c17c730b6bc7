"""--production: debug flags, NODE_ENV/APP_ENV, localhost URLs, weak signing secrets."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest

from aicheck.env.finding import PRODUCTION_CHECKS
from tests.envkit import check, found, keys, write

STRONG = secrets.token_urlsafe(48)

BAD = f"""NODE_ENV=development
APP_ENV=staging
DEBUG=true
FLASK_DEBUG=1
NODE_OPTIONS=--inspect=0.0.0.0:9229
API_URL=http://localhost:8000/v1
REDIS_URL=redis://:pw@127.0.0.1:6379/0
WEBHOOK_URL=http://[::1]:3000/hook
JWT_SECRET=supersecret
SESSION_SECRET=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
APP_KEY=base64:{base64.b64encode(b"sixteen-byte-key").decode()}
NEXTAUTH_SECRET=this-is-my-very-long-nextauth-secret-phrase
"""

GOOD = f"""NODE_ENV=production
APP_ENV=prod
DEBUG=false
FLASK_DEBUG=0
API_URL=https://api.example.com/v1
HOST=0.0.0.0
JWT_SECRET={STRONG}
APP_KEY=base64:{base64.b64encode(secrets.token_bytes(32)).decode()}
STRIPE_WEBHOOK_SECRET=whsec_{secrets.token_hex(16)}
"""


def test_production_problems_are_reported(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env": BAD}), production=True)
    assert keys(result, "env.not-production") == ["NODE_ENV", "APP_ENV"]
    assert keys(result, "env.debug-enabled") == ["DEBUG", "FLASK_DEBUG", "NODE_OPTIONS"]
    assert keys(result, "env.localhost-url") == ["API_URL", "REDIS_URL", "WEBHOOK_URL"]
    assert keys(result, "env.weak-secret") == ["JWT_SECRET", "SESSION_SECRET", "APP_KEY", "NEXTAUTH_SECRET"]
    assert all(item.severity == "high" for item in found(result, "env.weak-secret"))
    assert "supersecret" not in str(result.findings)  # weak secrets are described, not shown


def test_a_production_configuration_passes(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env": GOOD}), production=True)
    assert [item for item in result.findings if item.check in PRODUCTION_CHECKS] == []


def test_production_checks_need_the_flag(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env": BAD}))
    assert [item for item in result.findings if item.check in PRODUCTION_CHECKS] == []
    assert not set(PRODUCTION_CHECKS) & set(result.checks)


def test_env_production_overrides_env(tmp_path: Path) -> None:
    root = write(tmp_path, {".env": "DEBUG=true\nNODE_ENV=development\n", ".env.production": "DEBUG=false\nNODE_ENV=production\n",
                            ".env.development": "API_URL=http://localhost:3000\n"})
    result = check(root, production=True)
    assert [item for item in result.findings if item.check in PRODUCTION_CHECKS] == []


@pytest.mark.parametrize("line", ["DEBUG=app:*", "DJANGO_DEBUG=True", "DEBUG_TOOLBAR=on"])
def test_debug_flag_spellings(tmp_path: Path, line: str) -> None:
    assert len(found(check(write(tmp_path, {".env": line + "\n"}), production=True), "env.debug-enabled")) == 1


def test_a_secret_from_the_environment_is_not_judged(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env": "JWT_SECRET=${JWT_SECRET_FROM_VAULT}\n"}), production=True)
    assert found(result, "env.weak-secret") == []
