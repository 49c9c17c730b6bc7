"""Syntactically valid, random credentials for every catalog rule, made at test time.

Nothing here is a real credential: every key is drawn from ``secrets`` when a test runs, in
the provider's real shape (prefixes, lengths, checksums, parseable private keys, decodable
JWTs), so the scanner cannot tell it from a leaked one.

``KEYGEN[rule_id]()`` returns the secret the rule must report; ``sample(rule_id, style)`` wraps
it in a realistic line of source (a Python assignment, a .env line, YAML, JSON, JavaScript),
or in the document the secret lives in (a connection string, a service-account file, a URL).
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from aicheck.catalog import load
from aicheck.scan.detector import plausible
from aicheck.scan.confirm import CONFIRMERS, github_checksum

ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
URLSAFE = ALNUM + "_-"
BASE64 = ALNUM + "+/"
HEX = "0123456789abcdef"
DIGITS = string.digits

STYLES = ("python", "dotenv", "yaml", "json", "js")


def rand(length: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def digits(length: int) -> str:
    return secrets.choice("123456789") + rand(length - 1, DIGITS)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _tidy(make: Callable[[], str], rule_id: str) -> Callable[[], str]:
    """Draw again in the rare case a random key trips the rule's filters (a placeholder word,
    a run such as 1234567, a generic value without digits). tests/test_rules.py measures
    how rare that is, so redrawing here hides no real loss of recall."""
    rule = load().rule(rule_id)

    def draw() -> str:
        while True:
            value = make()
            if rule is None or (CONFIRMERS[rule.confirm](value).keep if rule.confirm else plausible(rule, value)):
                return value

    return draw


# --- keys with structure ------------------------------------------------------------------------


def github_token(prefix: str = "ghp") -> str:
    body = rand(30)
    return f"{prefix}_{body}{github_checksum(body)}"


def cloudflare_token(prefix: str = "cfut") -> str:
    body = rand(40)
    return f"{prefix}_{body}{zlib.crc32(body.encode()):08x}"


def jwt(claims: dict[str, object]) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    return f"{header}.{payload}.{b64url(secrets.token_bytes(32))}"


def supabase_jwt(role: str = "service_role") -> str:
    now = int(time.time())
    claims = {"iss": "supabase", "ref": rand(20, string.ascii_lowercase), "role": role, "iat": now, "exp": now + 10 * 365 * 86400}
    return jwt(claims)


def sentry_org_token() -> str:
    claims = {
        "iat": time.time(),
        "url": "https://sentry.io",
        "region_url": "https://us.sentry.io",
        "org": rand(8, string.ascii_lowercase),
    }
    encoded = base64.b64encode(json.dumps(claims, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"sntrys_{encoded}_{rand(43, BASE64)}"


def convex_deploy_key() -> str:
    adjective = secrets.choice(["mild", "happy", "formal", "energetic", "ceaseless", "upbeat"])
    animal = secrets.choice(["newt", "tern", "sardine", "spider", "cardinal", "caribou"])
    token = base64.b64encode(json.dumps({"v2": rand(32, HEX)}, separators=(",", ":")).encode()).decode()
    kind = secrets.choice(["prod", "dev"])
    return f"{kind}:{adjective}-{animal}-{digits(3)}|{token}"


def bedrock_api_key() -> str:
    raw = f"BedrockAPIKey-{rand(4, LOWER_ALNUM)}-at-{digits(12)}:{rand(60, BASE64)}".encode()
    return "ABSK" + base64.b64encode(raw).decode()


def azure_ad_secret() -> str:
    return rand(3) + secrets.choice(DIGITS) + "Q~" + rand(33, ALNUM + "_~.-") + secrets.choice(ALNUM)


# --- private keys ------------------------------------------------------------------------------


def pgp_private_key(body_bytes: int = 480) -> str:
    """An armored OpenPGP secret-key block: a packet header (old format, tag 5) over random
    bytes, with the armor's CRC-24 (RFC 4880 section 6). Not a usable key: the scanner checks
    the armor, not the key material."""
    from aicheck.scan.confirm import crc24

    raw = bytes([0x95]) + body_bytes.to_bytes(2, "big") + secrets.token_bytes(body_bytes)
    text = base64.b64encode(raw).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    checksum = base64.b64encode(crc24(raw).to_bytes(3, "big")).decode()
    return "\n".join(
        ["-----BEGIN PGP PRIVATE KEY BLOCK-----", "", *lines, f"={checksum}", "-----END PGP PRIVATE KEY BLOCK-----"]
    )



def _pem(key: object, fmt: str, encryption: object | None = None) -> str:
    from cryptography.hazmat.primitives import serialization as s

    formats = {
        "pkcs8": s.PrivateFormat.PKCS8,
        "traditional": s.PrivateFormat.TraditionalOpenSSL,
        "openssh": s.PrivateFormat.OpenSSH,
    }
    algorithm = encryption or s.NoEncryption()
    return key.private_bytes(s.Encoding.PEM, formats[fmt], algorithm).decode()  # type: ignore[attr-defined]


def rsa_pkcs8() -> str:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048), "pkcs8")


def rsa_traditional() -> str:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048), "traditional")


def ec_key() -> str:
    from cryptography.hazmat.primitives.asymmetric import ec

    return _pem(ec.generate_private_key(ec.SECP256R1()), "traditional")


def ed25519_openssh() -> str:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return _pem(ed25519.Ed25519PrivateKey.generate(), "openssh")


def encrypted_pkcs8() -> str:
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec

    passphrase = rand(16).encode()
    return _pem(ec.generate_private_key(ec.SECP256R1()), "pkcs8", s.BestAvailableEncryption(passphrase))


PEM_KEYS: dict[str, Callable[[], str]] = {
    "rsa-pkcs8": rsa_pkcs8,
    "rsa-traditional": rsa_traditional,
    "ec": ec_key,
    "ed25519-openssh": ed25519_openssh,
    "encrypted-pkcs8": encrypted_pkcs8,
}


# --- one generator per rule id -------------------------------------------------------------------

KEYGEN: dict[str, Callable[[], str]] = {
    # AI providers (providers.toml)
    "openai-api-key": lambda: f"sk-proj-{rand(74, URLSAFE)}T3BlbkFJ{rand(74, URLSAFE)}",
    "openai-legacy-key": lambda: f"sk-{rand(20)}T3BlbkFJ{rand(20)}",
    "anthropic-api-key": lambda: f"sk-ant-api03-{rand(93, URLSAFE)}AA",
    "anthropic-admin-key": lambda: f"sk-ant-admin01-{rand(93, URLSAFE)}AA",
    "groq-api-key": lambda: f"gsk_{rand(52)}",
    "openrouter-api-key": lambda: f"sk-or-v1-{rand(64, HEX)}",
    "google-api-key": lambda: f"AIzaSy{rand(33, URLSAFE)}",
    "gemini-auth-key": lambda: f"AQ.Ab{rand(48, URLSAFE)}",
    "mistral-api-key": lambda: rand(32),
    "cohere-api-key": lambda: rand(40),
    "together-api-key": lambda: f"tgp_v1_{rand(43, URLSAFE)}",
    "together-legacy-key": lambda: rand(64, HEX),
    "fireworks-api-key": lambda: f"fw_{rand(24)}",
    "deepseek-api-key": lambda: f"sk-{rand(32, HEX)}",
    "xai-api-key": lambda: f"xai-{rand(80, ALNUM + '_')}",
    "perplexity-api-key": lambda: f"pplx-{rand(48)}",
    "huggingface-token": lambda: f"hf_{rand(34)}",
    "huggingface-org-token": lambda: f"api_org_{rand(34)}",
    "replicate-api-token": lambda: f"r8_{rand(37)}",
    "cerebras-api-key": lambda: f"csk-{rand(48, LOWER_ALNUM)}",
    "azure-openai-key": lambda: rand(32, HEX),
    "azure-openai-key-near-endpoint": lambda: rand(32, HEX),
    # Cloud
    "aws-access-key-id": lambda: "AKIA" + rand(16, string.ascii_uppercase + "234567"),
    "aws-secret-access-key": lambda: rand(40, BASE64),
    "aws-bedrock-api-key": bedrock_api_key,
    "gcp-service-account-key": lambda: rand(40, HEX),
    "google-oauth-client-secret": lambda: f"GOCSPX-{rand(28, URLSAFE)}",
    "google-oauth-refresh-token": lambda: f"1//0{rand(1, '0123456789')}{rand(98, URLSAFE)}",
    "azure-storage-account-key": lambda: base64.b64encode(secrets.token_bytes(64)).decode(),
    "azure-shared-access-key": lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
    "azure-ad-client-secret": azure_ad_secret,
    "cloudflare-api-token": lambda: rand(40, URLSAFE),
    "cloudflare-global-api-key": lambda: rand(37, HEX),
    "cloudflare-scannable-token": cloudflare_token,
    "cloudflare-origin-ca-key": lambda: f"v1.0-{rand(24, HEX)}-{rand(146, HEX)}",
    "digitalocean-token": lambda: f"dop_v1_{rand(64, HEX)}",
    "vercel-token": lambda: rand(24),
    "supabase-service-role-key": supabase_jwt,
    "supabase-access-token": lambda: f"sbp_{rand(40, HEX)}",
    "supabase-secret-key": lambda: f"sb_secret_{rand(22, URLSAFE)}_{rand(8)}",
    "convex-deploy-key": convex_deploy_key,
    # Source control and registries
    "github-token": lambda: github_token(secrets.choice(["ghp", "gho", "ghu", "ghs", "ghr"])),
    "github-fine-grained-pat": lambda: f"github_pat_{rand(22)}_{rand(59)}",
    "gitlab-token": lambda: f"glpat-{rand(20, URLSAFE)}",
    "npm-token": lambda: f"npm_{rand(36)}",
    "pypi-token": lambda: f"pypi-AgEIcHlwaS5vcmc{rand(160, URLSAFE)}",
    "docker-hub-token": lambda: f"dckr_pat_{rand(27, URLSAFE)}",
    # Payments, auth, SaaS
    "stripe-live-key": lambda: f"sk_live_51{rand(97)}",
    "stripe-test-key": lambda: f"rk_test_{rand(24)}",
    "clerk-secret-key": lambda: f"sk_live_{rand(42)}",
    "clerk-test-secret-key": lambda: f"sk_test_{rand(42)}",
    "clerk-named-secret-key": lambda: f"sk_{secrets.choice(['live', 'test'])}_{rand(32)}",
    "sendgrid-api-key": lambda: f"SG.{rand(22, URLSAFE)}.{rand(43, URLSAFE)}",
    "twilio-api-key": lambda: f"SK{rand(32, HEX)}",
    "twilio-auth-token": lambda: rand(32, HEX),
    "sentry-org-token": sentry_org_token,
    "sentry-user-token": lambda: f"sntryu_{rand(64, HEX)}",
    # public by design (catalog/public.toml): found, then listed as info
    "posthog-project-key": lambda: f"phc_{rand(43)}",
    "publishable-key": lambda: f"pk_live_51{rand(97)}",
    "sentry-dsn": lambda: f"https://{rand(32, HEX)}@o{digits(6)}.ingest.us.sentry.io/{digits(7)}",
    "shopify-token": lambda: f"shpat_{rand(32, HEX)}",
    # AI tooling
    "langsmith-api-key": lambda: f"lsv2_{secrets.choice(['pt', 'sk'])}_{rand(32, HEX)}_{rand(10, HEX)}",
    "pinecone-api-key": lambda: f"pcsk_{rand(6)}_{rand(63)}",
    # Chat
    "slack-bot-token": lambda: f"xoxb-{digits(11)}-{digits(13)}-{rand(24)}",
    "slack-user-token": lambda: f"xoxp-{digits(11)}-{digits(11)}-{digits(13)}-{rand(32, HEX)}",
    "slack-legacy-token": lambda: f"xoxa-2-{rand(40)}",
    "slack-app-token": lambda: f"xapp-1-A{rand(10, UPPER_ALNUM)}-{digits(13)}-{rand(64, HEX)}",
    "slack-webhook-url": lambda: f"hooks.slack.com/services/T{rand(10, UPPER_ALNUM)}/B{rand(10, UPPER_ALNUM)}/{rand(24)}",
    "telegram-bot-token": lambda: f"{digits(10)}:AA{rand(33, URLSAFE)}",
    "discord-bot-token": lambda: f"M{rand(25)}.{rand(6, URLSAFE)}.{rand(38, URLSAFE)}",
    "discord-webhook-url": lambda: f"https://discord.com/api/webhooks/{digits(19)}/{rand(68, URLSAFE)}",
    # Recorded HTTP traffic: any value, a UUID included
    "recorded-http-credential": lambda: str(uuid.uuid4()),
    # Families added for issue 15 (cloud, CI, observability, payment, messaging, database)
    "flyio-token": lambda: secrets.choice([f"fo1_{rand(43, URLSAFE)}", f"fm2_{rand(180, BASE64)}"]),
    "heroku-api-key": lambda: f"HRKU-AA{rand(58, URLSAFE)}",
    "heroku-api-key-legacy": lambda: str(uuid.uuid4()),
    "doppler-token": lambda: f"dp.{secrets.choice(['pt', 'st', 'sa', 'ct'])}.{rand(43)}",
    "hashicorp-vault-token": lambda: f"hvs.{rand(95, URLSAFE)}",
    "terraform-cloud-token": lambda: f"{rand(14)}.atlasv1.{rand(67, URLSAFE)}",
    "databricks-token": lambda: f"dapi{rand(32, HEX)}",
    "alibaba-access-key-id": lambda: f"LTAI{rand(20)}",
    "pulumi-access-token": lambda: f"pul-{rand(40, HEX)}",
    "postman-api-key": lambda: f"PMAK-{rand(24, HEX)}-{rand(34, HEX)}",
    "linear-api-key": lambda: f"lin_api_{rand(40)}",
    "prefect-api-key": lambda: f"pnu_{rand(36)}",
    "age-secret-key": lambda: "AGE-SECRET-KEY-1" + rand(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"),
    "grafana-token": lambda: secrets.choice([f"glc_{rand(120, BASE64)}", f"glsa_{rand(32)}_{rand(8, HEX)}"]),
    "dynatrace-token": lambda: f"dt0c01.{rand(24, UPPER_ALNUM)}.{rand(64, UPPER_ALNUM)}",
    "new-relic-user-key": lambda: f"NRAK-{rand(27, UPPER_ALNUM)}",
    "square-token": lambda: secrets.choice([f"sq0atp-{rand(22, URLSAFE)}", f"sq0csp-{rand(43, URLSAFE)}"]),
    "flutterwave-secret-key": lambda: f"FLWSECK-{rand(32, 'abcdefgh0123456789')}-X",
    "brevo-api-key": lambda: f"xkeysib-{rand(64, HEX)}-{rand(16)}",
    "mailgun-api-key": lambda: f"key-{rand(32, HEX)}",
    "plaid-access-token": lambda: f"access-{secrets.choice(['sandbox', 'development', 'production'])}-{uuid.uuid4()}",
    "rubygems-api-key": lambda: f"rubygems_{rand(48, HEX)}",
    "mailchimp-api-key": lambda: f"{rand(32, HEX)}-us{secrets.randbelow(21) + 1}",
    "postmark-server-token": lambda: str(uuid.uuid4()),
    "planetscale-token": lambda: f"pscale_{secrets.choice(['tkn', 'pw', 'oauth'])}_{rand(43, URLSAFE)}",
    # Databases, private keys, generic
    "database-url-password": lambda: rand(24, ALNUM + "-_.~!*"),
    "private-key": rsa_pkcs8,
    "pgp-private-key": pgp_private_key,
    "generic-api-key": lambda: rand(32),
}

RAW_KEYGEN = dict(KEYGEN)
KEYGEN = {rule_id: _tidy(make, rule_id) for rule_id, make in KEYGEN.items()}


# --- realistic surroundings ----------------------------------------------------------------------


def _service_account(key_id: str) -> str:
    project = f"acme-prod-{digits(6)}"
    document = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": key_id,
        "client_email": f"agent@{project}.iam.gserviceaccount.com",
        "client_id": digits(21),
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return json.dumps(document, indent=2) + "\n"


# Rules whose secret lives inside a larger document: text around the secret, whatever the style.
TEMPLATES: dict[str, Callable[[str], str]] = {
    "azure-storage-account-key": lambda key: (
        "AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=acmeprod;"
        f"AccountKey={key};EndpointSuffix=core.windows.net\n"
    ),
    "azure-shared-access-key": lambda key: (
        'SERVICE_BUS = "Endpoint=sb://acme.servicebus.windows.net/;'
        f'SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={key}"\n'
    ),
    "gcp-service-account-key": _service_account,
    "database-url-password": lambda pw: f"DATABASE_URL=postgresql+asyncpg://app_user:{pw}@db.prod.internal:5432/app\n",
    "slack-webhook-url": lambda url: f'SLACK_WEBHOOK_URL = "https://{url}"\n',
    "private-key": lambda pem: pem,
    "pgp-private-key": lambda block: block + "\n",
    "azure-openai-key-near-endpoint": lambda key: (
        'client = AzureOpenAI(\n    azure_endpoint="https://acme-prod.openai.azure.com/",\n'
        f'    api_key="{key}",\n    api_version="2024-10-21",\n)\n'
    ),
    "recorded-http-credential": lambda value: (
        "interactions:\n- request:\n    body: null\n    headers:\n      Accept:\n      - '*/*'\n"
        f"      X-Acme-Api-Key:\n      - {value}\n    method: GET\n    uri: https://api.acme.dev/v1/items\n"
    ),
}

# Variable names for the generated line; context rules need one holding their context word.
VARIABLES: dict[str, str] = {
    "aws-secret-access-key": "AWS_SECRET_ACCESS_KEY",
    "cloudflare-api-token": "CLOUDFLARE_API_TOKEN",
    "cloudflare-global-api-key": "CLOUDFLARE_API_KEY",
    "vercel-token": "VERCEL_TOKEN",
    "twilio-api-key": "TWILIO_API_KEY",
    "twilio-auth-token": "TWILIO_AUTH_TOKEN",
    "discord-bot-token": "DISCORD_BOT_TOKEN",
    "azure-openai-key": "AZURE_OPENAI_API_KEY",
    "together-legacy-key": "TOGETHER_API_KEY",
    "generic-api-key": "PAYMENTS_API_KEY",
    "convex-deploy-key": "CONVEX_DEPLOY_KEY",
    "telegram-bot-token": "TELEGRAM_BOT_TOKEN",
    "clerk-named-secret-key": "CLERK_SECRET_KEY",
    "heroku-api-key-legacy": "HEROKU_API_KEY",
    "mailgun-api-key": "MAILGUN_API_KEY",
    "postmark-server-token": "POSTMARK_SERVER_TOKEN",
}


def variable_for(rule_id: str) -> str:
    from aicheck.catalog import load

    if rule_id in VARIABLES:
        return VARIABLES[rule_id]
    rule = load().rule(rule_id)
    provider = load().provider(rule.provider) if rule and rule.provider else None
    if provider and provider.env_vars:
        return provider.env_vars[0]
    return rule_id.upper().replace("-", "_")


def embed(rule_id: str, secret: str, style: str = "python") -> str:
    """A line (or document) of source holding ``secret`` the way people write it."""
    if rule_id in TEMPLATES:
        return TEMPLATES[rule_id](secret)
    name = variable_for(rule_id)
    lines = {
        "python": f'{name} = "{secret}"\n',
        "dotenv": f"{name}={secret}\n",
        "yaml": f"  {name.lower()}: {secret}\n",
        "json": f'{{\n  "{name}": "{secret}",\n  "region": "us-east-1"\n}}\n',
        "js": f"const {name} = '{secret}';\n",
    }
    return lines[style]


@dataclass(frozen=True)
class Sample:
    rule_id: str
    secret: str
    text: str


def sample(rule_id: str, style: str = "python") -> Sample:
    secret = KEYGEN[rule_id]()
    return Sample(rule_id, secret, embed(rule_id, secret, style))
