"""The assignment grammar (aicheck/assign.py) across languages, the generic rule's names and false
alarms, published example keys, and credentials in recorded HTTP traffic.

Values are random at run time (tests/keygen.py): nothing here is a real credential.
"""

from __future__ import annotations

import hashlib
import json
import string
import uuid
from pathlib import Path

import pytest

from aicheck.catalog import Examples, examples, load
from aicheck.scan.scanner import ScanSettings, scan_paths
from keygen import rand

ALNUM_SYMBOLS = string.ascii_letters + string.digits


def secret() -> str:
    value = rand(32)
    while not any(c.isdigit() for c in value):  # the generic rule skips letters-only values by design
        value = rand(32)
    return value


def findings(tmp_path: Path, name: str, text: str) -> list[tuple[str, str]]:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    result = scan_paths([path], ScanSettings(rules=load().rules, workers=1))
    return [(f.rule, f.secret) for f in result.findings]


# --- one grammar, every language ------------------------------------------------------------------

FORMS = {
    "python": ("app.py", 'payments_token = "{v}"\n'),
    "python-annotated": ("app.py", 'payments_token: str = "{v}"\n'),
    "js": ("app.js", "const paymentsToken = '{v}';\n"),
    "ts-object": ("app.ts", "export const config = {{ paymentsToken: `{v}` }};\n"),
    "go-short": ("main.go", 'paymentsToken := "{v}"\n'),
    "go-var": ("main.go", 'var paymentsToken string = "{v}"\n'),
    "java": ("App.java", 'String paymentsToken = "{v}";\n'),
    "java-property": ("App.java", 'System.setProperty("PAYMENTS_TOKEN", "{v}");\n'),
    "kotlin": ("App.kt", 'val paymentsToken: String = "{v}"\n'),
    "php": ("index.php", '<?php $paymentsToken = "{v}";\n'),
    "php-append": ("index.php", '<?php $paymentsToken .= "{v}";\n'),
    "php-coalesce": ("index.php", '<?php $paymentsToken ??= "{v}";\n'),
    "ruby-hash": ("config.rb", 'CONFIG = {{ :payments_token => "{v}" }}\n'),
    "yaml": ("config.yaml", "payments:\n  api_token: {v}\n"),
    "toml": ("config.toml", '[payments]\napi_token = "{v}"\n'),
    "json": ("config.json", '{{"payments_token": "{v}"}}\n'),
    "json-embedded-env": ("config.json", '{{"config.ini": "PAYMENTS_TOKEN={v}\\nDEBUG=true"}}\n'),
    "xml-inline": ("app.xml", "<config><paymentsToken>{v}</paymentsToken></config>\n"),
    "xml-own-line": ("app.xml", "<config>\n  <paymentsToken>\n    {v}\n  </paymentsToken>\n</config>\n"),
    "properties": ("app.properties", "payments.api.token={v}\n"),
    "make": ("Makefile", "PAYMENTS_TOKEN = {v}\n"),
    "make-simple": ("Makefile", "PAYMENTS_TOKEN := {v}\n"),
    "make-shell": ("Makefile", 'PAYMENTS_TOKEN ::= "{v}"\n'),
    "make-evaluated": ("Makefile", 'PAYMENTS_TOKEN :::= "{v}"\n'),
    "make-conditional": ("Makefile", "PAYMENTS_TOKEN ?= {v}\n"),
    "dockerfile": ("Dockerfile", "FROM alpine\nENV PAYMENTS_TOKEN={v}\n"),
    "dockerfile-arg": ("Dockerfile", "FROM alpine\nARG PAYMENTS_TOKEN={v}\n"),
    "shell": ("deploy.sh", 'export PAYMENTS_TOKEN="{v}"\n'),
    "dotenv": (".env", "PAYMENTS_TOKEN={v}\n"),
    "logstash": ("pipeline.conf", '  "paymentsToken" => "{v}"\n'),
    "csharp": ("App.cs", 'string paymentsToken = "{v}";\n'),
}  # fmt: skip


@pytest.mark.parametrize("form", sorted(FORMS))
def test_generic_rule_reads_every_assignment_form(tmp_path: Path, form: str) -> None:
    name, template = FORMS[form]
    value = secret()
    assert ("generic-api-key", value) in findings(tmp_path, name, template.format(v=value))


@pytest.mark.parametrize(
    "line",
    ["creds = {v}\n", "private-key: {v}\n", '"user_auth": "{v}"\n', "PRIVATE_KEY={v}\n", "basic_auth: '{v}'\n"],
)
def test_generic_rule_knows_more_secret_names(tmp_path: Path, line: str) -> None:
    value = secret()
    assert ("generic-api-key", value) in findings(tmp_path, "settings.yaml", line.format(v=value))


@pytest.mark.parametrize(
    "line",
    [
        'publicToken = "{v}"\n',  # public by design
        "dev.credentials.url=dev-lb1.api.internal.example.net:5215\n",  # where, not what
        'notes = "Maven - io.jsonwebtoken:jjwt-jackson-0.11.2"\n',  # a package coordinate
        "implementation 'io.jsonwebtoken:jjwt-api:0.12.6'\n",
        'secret_host = "db7.prod.acme.io:5432"\n',
        'token_path = "/var/run/{v}"\n',
        'check(SECRET_KEY_FALLBACKS", id=base.W025.id)\n',
        'scopes = ["read_token", "write_token"]\n',
        '    apiKey:"6fe4476ee5a1832882e326b506d14126",\n',  # Yarn Berry's fixed key (examples.toml)
    ],
)
def test_generic_rule_false_alarms_stay_quiet(tmp_path: Path, line: str) -> None:
    assert findings(tmp_path, "settings.py", line.format(v=secret())) == []


def test_list_of_words_is_not_an_assignment(tmp_path: Path) -> None:
    assert findings(tmp_path, "a.py", 'kinds = ["secret", "other"]\n') == []


# --- published example keys (catalog/examples.toml) -------------------------------------------------


def test_every_example_has_a_source() -> None:
    import sys
    from importlib import resources

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    entries = tomllib.loads(resources.files("aicheck.catalog").joinpath("examples.toml").read_text())["example"]
    assert len(entries) >= 10
    for entry in entries:
        assert entry["source"].startswith("https://"), entry
        assert ("value" in entry) != ("sha256" in entry), entry


def test_examples_match_by_value_and_by_digest() -> None:
    value = "AKIAIOSFODNN7EXAMPLE"
    assert value in examples()
    digest = Examples(frozenset(), frozenset({hashlib.sha256(b"some-sample-key-42").hexdigest()}))
    assert "some-sample-key-42" in digest and "some-sample-key-43" not in digest


@pytest.mark.parametrize(
    "line",
    [
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
        'stripe.api_key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"\n',
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;\n",
    ],
)
def test_published_examples_are_not_reported(tmp_path: Path, line: str) -> None:
    assert findings(tmp_path, "config.env", line) == []


def test_an_example_digest_silences_only_that_key(tmp_path: Path) -> None:
    from keygen import KEYGEN

    key = KEYGEN["google-api-key"]()
    known = Examples(frozenset(), frozenset({hashlib.sha256(key.encode()).hexdigest()}))
    assert key in known
    assert [r for r, _ in findings(tmp_path, "firebase.json", json.dumps({"api_key": key}))] != []


# --- recorded HTTP traffic ----------------------------------------------------------------------------


def cassette(header: str, value: str) -> str:
    return (
        "interactions:\n- request:\n    body: '{\"query\": \"hi\"}'\n    headers:\n      Accept:\n      - '*/*'\n"
        f"      {header}:\n      - {value}\n      User-Agent:\n      - python-httpx/0.28.1\n"
        "    method: POST\n    uri: https://api.acme.dev/v1/search\n  response:\n    status:\n      code: 200\n"
    )


@pytest.mark.parametrize("header", ["X-Agentops-Api-Key", "api-key", "x-api-key", "X-Acme-Auth-Token"])
def test_cassette_header_with_a_uuid(tmp_path: Path, header: str) -> None:
    value = str(uuid.uuid4())
    assert ("recorded-http-credential", value) in findings(tmp_path, "tests/cassettes/test_search.yaml", cassette(header, value))


def test_cassette_bearer_token(tmp_path: Path) -> None:
    token = rand(48, ALNUM_SYMBOLS)
    found = findings(tmp_path, "cassettes/t.yaml", cassette("authorization", f"Bearer {token}"))
    assert ("recorded-http-credential", token) in found


@pytest.mark.parametrize("value", ["X-GOOG-API-KEY-XXX", "DUMMY", "<API_KEY>", "Bearer REDACTED", "AUTHORIZATION-XXX", "Bearer ${TOKEN}"])
def test_cassette_filtered_values_stay_quiet(tmp_path: Path, value: str) -> None:
    assert findings(tmp_path, "cassettes/t.yaml", cassette("x-api-key", value)) == []


def test_json_cassette_and_har(tmp_path: Path) -> None:
    value = str(uuid.uuid4())
    vcr_json = json.dumps({"interactions": [{"request": {"headers": {"X-Api-Key": [value]}}}]}, indent=2)
    assert ("recorded-http-credential", value) in findings(tmp_path, "cassette.json", vcr_json)
    token = rand(40)
    har = {"log": {"entries": [{"request": {"headers": [{"name": "Authorization", "value": f"Bearer {token}"}]}}]}}
    assert ("recorded-http-credential", token) in findings(tmp_path, "session.har", json.dumps(har, indent=2))


def test_headers_in_code_are_not_recordings(tmp_path: Path) -> None:
    text = 'headers = {"x-api-key": api_key, "Authorization": f"Bearer {token}"}\n'
    assert findings(tmp_path, "client.py", text) == []


def test_recorded_header_values_keep_random_keys() -> None:
    """The generated-key recall check of the confirmed rule: UUIDs and random tokens survive."""
    from aicheck.scan.confirm import confirm_header_value

    values = [str(uuid.uuid4()) for _ in range(3000)] + [rand(40) for _ in range(3000)]
    dropped = [v for v in values if not confirm_header_value(v).keep]
    assert len(dropped) <= 0.001 * len(values), dropped[:5]
