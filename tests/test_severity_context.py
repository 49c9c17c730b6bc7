"""Context-aware severity and the score on real git repositories built here: fixtures, cassettes,
.env.test, keys that are public by design, test key material, a monorepo with two apps.

A credential in a provider's real format keeps its severity wherever it sits (cassettes are where
real keys leak); what is info costs no points; a repository with no real exposure scores >= 90 and
one with a real key cannot score above 50.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aicheck.report import ReportRequest, run_report
from aicheck.scan.run import ScanRequest, run_scan
from aicheck.severity import is_obviously_fake, is_test_location
from tests.conftest import git
from tests.envkit import invoke
from tests.keygen import KEYGEN, rand


def cert_pair(name: str) -> tuple[str, str]:
    """A private key and a self-signed certificate for ``name``, made now (nothing is committed)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.decode(), cert.public_bytes(serialization.Encoding.PEM).decode()


def fake_openai_key() -> str:
    """OpenAI's real format, with a body that says fake: sk-proj-fake-…T3BlbkFJ…"""
    key = KEYGEN["openai-api-key"]()
    return key[:8] + "fake-" + key[13:]


def commit(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the app")
    return root


def fixture_repo(root: Path) -> Path:
    """Everything here is test data or public by design: nothing is a real exposure."""
    test_key, test_cert = cert_pair("localhost")
    return commit(root, {
        "src/app.py": "import os\nclient_key = os.environ['OPENAI_API_KEY']\n",
        "src/analytics.js": f'posthog.init("{KEYGEN["posthog-project-key"]()}", {{api_host: "https://us.i.posthog.com"}})\n'
                            f'const stripe = Stripe("{KEYGEN["publishable-key"]()}")\n'
                            f'Sentry.init({{ dsn: "{KEYGEN["sentry-dsn"]()}" }})\n',
        "src/settings.py": f'OPENAI_API_KEY = "{fake_openai_key()}"\n',  # obviously fake, in app code
        # a VCR cassette: analytics payload with a public key, and a generic token
        "tests/cassettes/test_chat.yaml": "interactions:\n- request:\n    body: '{\"api_key\": \"%s\"}'\n"
                                          "    headers:\n      x-session-token: %s\n" % (KEYGEN["posthog-project-key"](), rand(32)),
        "tests/fixtures/settings.json": json.dumps({"password": rand(24)}) + "\n",
        "tests/fixtures/mtls/server.key": test_key,
        "tests/fixtures/mtls/server.pem": test_cert,
        ".env.test": "OPENAI_API_KEY=fake-openai-key\nANTHROPIC_API_KEY=fake-anthropic-key\nDB_PASSWORD=fake-password\n",
    })


def report(root: Path) -> dict[str, Any]:
    result = run_report(ReportRequest(root=root, offline=True, environ={}, record=False))
    return {
        "score": result.score, "scan": result.part("scan").items, "env": result.part("env").items,
        "env_summary": result.part("env").summary,
    }


def by_file(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        grouped.setdefault(str(item["file"]), []).append(item)
    return grouped


def test_test_data_and_public_keys_are_info_and_the_score_stays_at_least_90(tmp_path: Path) -> None:
    found = report(fixture_repo(tmp_path / "app"))
    scan = by_file(found["scan"])
    assert {item["severity"] for item in found["scan"]} == {"info"}, found["scan"]
    notes = {file: items[0]["note"] for file, items in scan.items()}
    assert notes["src/analytics.js"].startswith("public key: ") and len(scan["src/analytics.js"]) == 3
    assert {item["rule"] for item in scan["src/analytics.js"]} == {"posthog-project-key", "publishable-key", "sentry-dsn"}
    assert notes["src/settings.py"] == "obviously fake"
    assert notes["tests/fixtures/mtls/server.key"] == "test key material: its certificate names localhost"
    assert notes["tests/fixtures/settings.json"] == "test fixture"
    assert {item["rule"] for item in scan["tests/cassettes/test_chat.yaml"]} >= {"posthog-project-key"}
    # .env.test full of fake- values: not "plaintext secrets tracked by git", placeholders are info
    assert [i["id"] for i in found["env"] if i["severity"] != "info"] == []
    assert found["score"].value >= 90 and found["score"].cap is None, found["score"]


def test_a_real_key_in_a_cassette_keeps_its_severity_and_caps_the_score_at_50(tmp_path: Path) -> None:
    root = fixture_repo(tmp_path / "app")
    leaked = KEYGEN["openai-api-key"]()
    (root / "tests/cassettes/test_leak.yaml").write_text(f"    headers:\n      authorization: Bearer {leaked}\n")
    found = report(root)
    (real,) = [item for item in found["scan"] if item["file"] == "tests/cassettes/test_leak.yaml"]
    assert real["rule"] == "openai-api-key" and real["severity"] in ("critical", "high")
    assert found["score"].value <= 50 and found["score"].cap == 50
    assert "tests/cassettes/test_leak.yaml" in found["score"].cap_reason
    (deduction,) = [d for d in found["score"].deductions if d.check == "scan"]
    assert deduction.command == "aicheck scan --verify" and deduction.reason.startswith("OpenAI API key: 1 ")


def test_a_private_key_whose_certificate_names_a_real_host_is_not_test_material(tmp_path: Path) -> None:
    key, cert = cert_pair("api.acme-payments.com")
    root = commit(tmp_path / "app", {"deploy/tls/server.key": key, "deploy/tls/server.pem": cert})
    (finding,) = run_scan(ScanRequest(paths=[root]))[0].findings
    assert finding.severity == "critical" and "test key" not in finding.note


def test_info_findings_are_listed_but_scan_and_env_check_exit_0(tmp_path: Path) -> None:
    root = commit(tmp_path / "app", {"tests/fixtures/config.yaml": f"password: {rand(24)}\n", ".env.test": "API_KEY=fake-key\n"})
    out = invoke("scan", "--format", "json", cwd=root)
    assert out.returncode == 0 and json.loads(out.stdout)["findings"][0]["severity"] == "info"
    assert invoke("env", "check", cwd=root).returncode == 0


def test_a_monorepo_checks_each_app_on_its_own(tmp_path: Path) -> None:
    root = commit(tmp_path / "mono", {
        "package.json": json.dumps({"private": True, "workspaces": ["apps/*"]}),
        "apps/web/package.json": json.dumps({"dependencies": {"next": "15.0.0"}}),
        "apps/web/.env.local.example": "OPENAI_API_KEY=\n",
        "apps/web/app/page.tsx": "'use client'\nconst key = process.env.NEXT_PUBLIC_OPENAI_API_KEY\n",
        "apps/api/pyproject.toml": "[project]\nname = 'api'\n",
        "apps/api/.env.example": "GROQ_API_KEY=\nDATABASE_URL=\n",
        "apps/api/.env": "GROQ_API_KEY=your-api-key-here\n",
        ".gitignore": ".env\n",
    })
    found = report(root)
    apps = {app["path"]: app for app in found["env_summary"]["apps"]}
    assert set(apps) == {".", "apps/web", "apps/api"}
    assert (apps["apps/web"]["loader"], apps["apps/api"]["loader"]) == ("Next.js", "python-dotenv")
    items = {(i["app"], i["id"]): i for i in found["env"]}
    # web: nothing configured in this checkout (listed, not counted); a client read of a key no
    # .env sets is a design warning, not an exposure
    assert items["apps/web", "env.not-configured"]["severity"] == "info"
    assert "Next.js loads .env.local" in items["apps/web", "env.not-configured"]["fix"]
    assert items["apps/web", "env.next-client-secret"]["severity"] == "low"
    # api: configured, but a placeholder and a key the example lists are missing
    assert items["apps/api", "env.placeholder"]["file"] == "apps/api/.env"
    assert items["apps/api", "env.missing-key"]["key"] == "DATABASE_URL"
    commands = {d.command for d in found["score"].deductions if d.check == "env"}
    assert "cd apps/api && aicheck env check" in commands
    assert found["score"].cap is None
    # the app folder on its own: its own unconfigured state counts
    assert invoke("env", "check", cwd=root / "apps/web").returncode == 1


def test_where_and_what() -> None:
    assert all(is_test_location(p) for p in ("tests/a.py", "pkg/__tests__/x.js", "a/cassettes/b.yaml", "x.test.ts", ".env.test", "spec/fixtures/k.pem"))
    assert not any(is_test_location(p) for p in ("src/app.py", "latest/config.py", "contest/app.js", ".env.testing.example/x"))
    assert all(is_obviously_fake(v) for v in ("fake-api-key", "test_key_1", "aaaaaaaaaaaa", "abcdef123456", "AKIAIOSFODNN7EXAMPLE"))
    assert not any(is_obviously_fake(KEYGEN[rule]()) for rule in ("openai-api-key", "anthropic-api-key", "groq-api-key") for _ in range(20))


def test_the_report_lists_each_app(tmp_path: Path) -> None:
    root = commit(tmp_path / "mono", {
        "apps/web/package.json": json.dumps({"dependencies": {"vite": "5.0.0"}}), "apps/web/.env.example": "VITE_API_URL=\n",
        "apps/api/requirements.txt": "openai\n", "apps/api/.env.example": "OPENAI_API_KEY=\n",
    })
    out = invoke("report", "--offline", cwd=root, env={"AICHECK_STATE_DIR": str(tmp_path / "state"), "COLUMNS": "300"})
    assert "3 apps checked on their own: . (python-dotenv, 0 problems), apps/api (python-dotenv, 1 problem), apps/web (Vite, 1 problem)" in " ".join(out.stdout.split())


def test_info_findings_are_not_junit_failures(tmp_path: Path) -> None:
    root = commit(tmp_path / "app", {"tests/fixtures/config.yaml": f"password: {rand(24)}\n", ".env.test": "API_KEY=your-api-key-here\n"})
    scan = invoke("scan", "-f", "junit", cwd=root)
    env = invoke("env", "check", "-f", "junit", cwd=root)
    assert scan.returncode == env.returncode == 0
    assert 'failures="0"' in scan.stdout and "<system-out>" in scan.stdout and "test fixture" in scan.stdout
    assert 'failures="0"' in env.stdout and "test fixture" in env.stdout
