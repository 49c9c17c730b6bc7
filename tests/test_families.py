"""Each credential family, in real files of many types, and the near misses that must stay quiet.

Keys come from tests/keygen.py at run time (random, in the real format): nothing here is a real
credential. One tree is written and scanned once per module; each test reads its part.
"""

from __future__ import annotations

import string
import uuid
from pathlib import Path

import pytest

from aicheck.catalog import load
from aicheck.scan.scanner import ScanSettings, scan_paths
from keygen import HEX, KEYGEN, rand

# One family each: the rules a real AI-app repository is likely to hold.
FAMILIES: dict[str, list[str]] = {
    "cloud": [
        "flyio-token", "heroku-api-key", "doppler-token", "hashicorp-vault-token", "terraform-cloud-token",
        "databricks-token", "alibaba-access-key-id", "pulumi-access-token",
    ],
    "ci-and-dev-tools": ["gitlab-token", "postman-api-key", "linear-api-key", "prefect-api-key", "age-secret-key"],
    "payment": ["square-token", "flutterwave-secret-key", "stripe-live-key"],
    "messaging": ["brevo-api-key", "slack-legacy-token", "slack-bot-token"],
    "observability": ["grafana-token", "dynatrace-token", "new-relic-user-key", "sentry-user-token"],
    "database": ["planetscale-token"],
}  # fmt: skip

# File name -> how people write NAME = value there ({n}: UPPER_SNAKE name, {c}: camelCase, {v}: value).
FORMATS: dict[str, str] = {
    "settings.py": '{n} = "{v}"\n',
    ".env": "{n}={v}\n",
    "config.yaml": "service:\n  {c}: {v}\n",
    "config.json": '{{\n  "{c}": "{v}"\n}}\n',
    "client.ts": "const {c} = '{v}';\n",
    "main.go": 'package main\n\nvar {c} string = "{v}"\n',
    "app.config.xml": "<config>\n  <{c}>\n    {v}\n  </{c}>\n</config>\n",
    "index.php": '<?php\n${c} = "";\n${c} .= "{v}";\n',
    "Makefile": "{n} ::= {v}\n",
    "Dockerfile": "FROM python:3.12\nENV {n}={v}\n",
    "app.properties": "service.{c}={v}\n",
    "pyproject.toml": '[tool.app]\n{c} = "{v}"\n',
    "config.rb": 'CONFIG = {{ :{c} => "{v}" }}\n',
    "Settings.kt": 'val {c}: String = "{v}"\n',
    "deploy.sh": 'export {n}="{v}"\n',
}


def _names(rule_id: str) -> tuple[str, str]:
    vendor = rule_id.split("-")[0]
    return f"{vendor.upper()}_TOKEN", f"{vendor}Token"


@pytest.fixture(scope="module")
def family_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[tuple[str, str], str], set[tuple[str, str, str]]]:
    """Every family rule's key in every file type; returns what was planted and what was found."""
    root = tmp_path_factory.mktemp("families")
    planted: dict[tuple[str, str], str] = {}
    for rule_id in (r for rules in FAMILIES.values() for r in rules):
        folder = root / rule_id
        folder.mkdir()
        upper, camel = _names(rule_id)
        for name, template in FORMATS.items():
            value = KEYGEN[rule_id]()
            (folder / name).write_text(template.format(n=upper, c=camel, v=value))
            planted[rule_id, name] = value
    result = scan_paths([root], ScanSettings(rules=load().rules, workers=1))
    found = {(f.file.split("/")[0], f.file.split("/", 1)[1], f.rule) for f in result.findings}
    return planted, found


@pytest.mark.parametrize("rule_id", [r for rules in FAMILIES.values() for r in rules])
def test_family_key_found_in_every_file_type(family_tree, rule_id: str) -> None:  # type: ignore[no-untyped-def]
    planted, found = family_tree
    missed = [name for name in FORMATS if (rule_id, name, rule_id) not in found]
    assert missed == [], f"{rule_id} missed in {missed}"
    assert len(planted) == len(FORMATS) * sum(len(r) for r in FAMILIES.values())


# --- near misses: the family's rule stays quiet -------------------------------------------------

NEAR_MISSES: dict[str, list[str]] = {
    "flyio-token": ["FLY_API_TOKEN=fo1_" + "x" * 43, "FLY_API_TOKEN=fm2_short"],
    "heroku-api-key": ["HEROKU_API_KEY=HRKU-AA" + "0" * 58, "HEROKU_API_KEY=HRKU-AAyour_heroku_key_here"],
    "doppler-token": ["DOPPLER_TOKEN=dp.pt." + "x" * 43, "DOPPLER_TOKEN=dp.pt.abc"],
    "hashicorp-vault-token": ["VAULT_TOKEN=hvs.CAESI" + "A" * 90, "VAULT_TOKEN=hvs.example"],
    "databricks-token": ["DATABRICKS_TOKEN=dapi" + "f" * 32, "DATABRICKS_TOKEN=dapi<your-token>"],
    "alibaba-access-key-id": ["ALIBABA_KEY=LTAI" + "x" * 20, "ALIBABA_KEY=LTAI5tShort"],
    "postman-api-key": ["POSTMAN_API_KEY=PMAK-" + "0" * 24 + "-" + "0" * 34, "POSTMAN_API_KEY=PMAK-your-key"],
    "linear-api-key": ["LINEAR_API_KEY=lin_api_" + "x" * 40, "LINEAR_API_KEY=lin_api_your_linear_key"],
    "age-secret-key": ["AGE-SECRET-KEY-1" + "Q" * 58, "# age-keygen prints AGE-SECRET-KEY-1..."],
    "grafana-token": ["GRAFANA_TOKEN=glsa_" + "x" * 32 + "_00000000", "GRAFANA_TOKEN=glc_your_token"],
    "dynatrace-token": ["DT_API_TOKEN=dt0c01." + "X" * 24 + "." + "X" * 64],
    "new-relic-user-key": ["NEW_RELIC_API_KEY=NRAK-" + "X" * 27, "NEW_RELIC_API_KEY=NRAK-XXXXXXXXXXXXXXXXXXXXXXXXXXX"],
    "square-token": ["SQUARE_TOKEN=sq0atp-" + "x" * 22, "SQUARE_TOKEN=sq0csp-example"],
    "brevo-api-key": ["BREVO_API_KEY=xkeysib-" + "0" * 64 + "-" + "x" * 16],
    "planetscale-token": ["PLANETSCALE_TOKEN=pscale_tkn_" + "x" * 43, "DATABASE_PASSWORD=pscale_pw_your_password_here"],
    "pinecone-api-key": [
        "PINECONE_API_KEY=pcsk_abcd_" + rand(63),  # a 4-character label: a test string
        "PINECONE_API_KEY=pcsk_" + rand(6) + "_" + rand(50),  # a short tail
    ],
    "gitlab-token": ["GITLAB_TOKEN=glpat-XXXXXXXXXXX-XXXXXXXX", "GITLAB_TOKEN=glpat-" + rand(10)],
}


@pytest.mark.parametrize(
    "rule_id,text", [(r, t) for r, texts in NEAR_MISSES.items() for t in texts], ids=lambda v: v[:40] if isinstance(v, str) else v
)
def test_family_near_miss_is_quiet(tmp_path: Path, rule_id: str, text: str) -> None:
    (tmp_path / "config.env").write_text(text + "\n")
    result = scan_paths([tmp_path], ScanSettings(rules=load().rules, workers=1))
    assert rule_id not in {f.rule for f in result.findings}


# --- the shapes issue 15 named --------------------------------------------------------------------


def _found(tmp_path: Path, name: str, text: str) -> list[tuple[str, str]]:
    (tmp_path / name).write_text(text)
    result = scan_paths([tmp_path / name], ScanSettings(rules=load().rules, workers=1))
    return [(f.rule, f.secret) for f in result.findings]


def test_gitlab_routable_token_with_version_part(tmp_path: Path) -> None:
    token = f"glpat-{rand(27, string.ascii_letters + string.digits + '_-')}.01.{rand(9, string.ascii_lowercase + string.digits)}"
    rules = _found(tmp_path, "ci.yml", f"variables:\n  GITLAB_TOKEN: {token}\n")
    assert [r for r in rules if r[0] == "gitlab-token"]


def test_slack_legacy_token_with_hex_tail(tmp_path: Path) -> None:
    token = f"xoxs-{rand(10, '0123456789')}-{rand(10, '0123456789')}-{rand(13, '0123456789')}-{rand(64, HEX)}"
    assert "slack-legacy-token" in {r for r, _ in _found(tmp_path, "slack.py", f'SLACK_TOKEN = "{token}"\n')}


def test_clerk_32_character_key_is_clerk_not_stripe(tmp_path: Path) -> None:
    key = f"sk_live_{rand(32)}"
    rules = {r for r, _ in _found(tmp_path, ".env", f"CLERK_SECRET_KEY={key}\n")}
    assert "clerk-named-secret-key" in rules and "stripe-live-key" not in rules
    assert "stripe-live-key" in {r for r, _ in _found(tmp_path, "pay.env", f"STRIPE_SECRET_KEY=sk_live_{rand(24)}\n")}


@pytest.mark.parametrize(
    "template",
    [
        "storage:\n  account_key: {k}\n",
        '{{"storageAccountKey": "{k}"}}\n',
        'AZURE_STORAGE_KEY = "{k}"\n',
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={k};EndpointSuffix=core.windows.net\n",
    ],
)
def test_azure_storage_key_outside_connection_strings(tmp_path: Path, template: str) -> None:
    key = KEYGEN["azure-storage-account-key"]()
    found = _found(tmp_path, "azure.yaml", template.format(k=key))
    assert ("azure-storage-account-key", key) in found


def test_azure_openai_key_next_to_its_endpoint(tmp_path: Path) -> None:
    key = rand(32, HEX)
    text = f'client = AzureOpenAI(\n    azure_endpoint="https://acme.openai.azure.com/",\n    api_key="{key}",\n)\n'
    assert ("azure-openai-key-near-endpoint", key) in _found(tmp_path, "app.py", text)
    elsewhere = _found(tmp_path, "other.py", f'client = Other(api_key="{rand(32, HEX)}")\n')
    assert not {r for r, _ in elsewhere} & {"azure-openai-key", "azure-openai-key-near-endpoint"}  # nothing says Azure


def test_heroku_legacy_key_by_name_even_as_uuid(tmp_path: Path) -> None:
    key = str(uuid.uuid4())
    assert ("heroku-api-key-legacy", key) in _found(tmp_path, ".env", f"HEROKU_API_KEY={key}\n")
    assert _found(tmp_path, "ids.py", f'REQUEST_ID = "{uuid.uuid4()}"\n') == []


def test_pgp_private_key_block_checked_by_its_armor(tmp_path: Path) -> None:
    from keygen import pgp_private_key

    block = pgp_private_key()
    assert ("pgp-private-key", block) in _found(tmp_path, "secring.asc", block + "\n")
    lines = block.splitlines()
    wrong = "\n".join(lines[:-2] + ["=AAAA", lines[-1]])
    assert _found(tmp_path, "wrong.asc", wrong + "\n") == []
    cut = "\n".join(lines[:3] + lines[-2:])
    assert _found(tmp_path, "cut.asc", cut + "\n") == []
