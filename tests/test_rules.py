"""Every catalog rule finds a freshly generated key of its shape, and the usual near misses stay quiet.

Keys come from tests/keygen.py at run time: nothing here is a real credential. Assertions hold
whether or not the engine also reports generic-api-key on the span of a specific rule.
"""

from __future__ import annotations

import json
import string

import pytest

from aicheck.catalog import load
from aicheck.scan.detector import Detector, Match
from keygen import KEYGEN, PEM_KEYS, STYLES, embed, github_token, rand, sample, supabase_jwt

RULES = load().rules
RULE_IDS = sorted(r.id for r in RULES)


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(RULES)


def find(detector: Detector, text: str) -> list[Match]:
    return detector.find(text.encode())


def ids(matches: list[Match]) -> set[str]:
    return {m.rule.id for m in matches}


# --- the catalog itself --------------------------------------------------------------------------


def test_every_rule_has_a_generator() -> None:
    assert set(RULE_IDS) - set(KEYGEN) == set(), "add a generator to tests/keygen.py for each new rule"
    assert set(KEYGEN) - set(RULE_IDS) == set(), "generator for a rule that no longer exists"


def test_rule_ids_are_unique() -> None:
    assert len(RULE_IDS) == len(set(RULE_IDS))


def test_catalog_covers_thirty_non_ai_credential_types() -> None:
    assert len([r for r in RULES if r.provider is None]) >= 30


# Words that occur in most code: as a keyword they would send nearly every file through a regex.
COMMON_WORDS = {
    "key", "keys", "token", "secret", "password", "pass", "api", "auth", "bearer", "user", "admin",
    "sk", "pk", "sk-", "sk_", "test", "live", "prod", "dev", "http", "https", "data", "config", "env",
}  # fmt: skip


@pytest.mark.parametrize("rule", [r for r in RULES if not r.context], ids=lambda r: r.id)
def test_keywords_are_distinctive_literals(rule) -> None:
    for keyword in rule.keywords:
        assert keyword == keyword.lower()
        assert keyword not in COMMON_WORDS
        assert len(keyword) >= 3 or not keyword.isalnum(), keyword


# --- true positives ------------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_generated_key_is_found(detector: Detector, rule_id: str, style: str) -> None:
    s = sample(rule_id, style)
    matches = find(detector, s.text)
    found = [m for m in matches if m.rule.id == rule_id]
    assert found, f"{rule_id} missed in {style}: {s.text!r}; got {ids(matches)}"
    assert any(m.secret.strip() == s.secret.strip() for m in found)
    match = found[0]
    assert s.text.encode()[match.start : match.end].decode() == match.secret


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_key_is_found_among_other_code(detector: Detector, rule_id: str) -> None:
    s = sample(rule_id)
    text = "import os\n\nclient = make_client(timeout=10)\n" + s.text + "\nprint('ready')\n"
    assert rule_id in ids(find(detector, text))


@pytest.mark.parametrize("kind", sorted(PEM_KEYS))
def test_private_keys_of_every_kind(detector: Detector, kind: str) -> None:
    pem = PEM_KEYS[kind]()
    found = [m for m in find(detector, pem) if m.rule.id == "private-key"]
    assert [m.secret for m in found] == [pem.strip()]
    expected = "low" if kind.startswith("encrypted") else "critical"
    assert found[0].severity == expected


def test_private_key_escaped_in_json(detector: Detector) -> None:
    pem = PEM_KEYS["rsa-pkcs8"]()
    text = json.dumps({"type": "service_account", "private_key": pem}, indent=2)
    assert "private-key" in ids(find(detector, text))


def test_private_key_in_concatenated_strings(detector: Detector) -> None:
    pem = PEM_KEYS["ec"]()
    lines = [f'  "{line}\\n" +' for line in pem.strip().splitlines()]
    text = "const key =\n" + "\n".join(lines) + ' "";\n'
    assert "private-key" in ids(find(detector, text))


def test_service_account_in_escaped_json(detector: Detector) -> None:
    s = sample("gcp-service-account-key")
    text = "GOOGLE_CREDENTIALS=" + json.dumps(json.dumps(json.loads(s.text))) + "\n"
    found = [m for m in find(detector, text) if m.rule.id == "gcp-service-account-key"]
    assert [m.secret for m in found] == [s.secret]


@pytest.mark.parametrize("prefix", ["ghp", "gho", "ghu", "ghs", "ghr"])
def test_every_github_token_kind(detector: Detector, prefix: str) -> None:
    token = github_token(prefix)
    assert "github-token" in ids(find(detector, embed("github-token", token)))


@pytest.mark.parametrize(
    "token",
    [
        lambda: f"glpat-{rand(27)}.{rand(9, string.ascii_lowercase + string.digits)}",
        lambda: f"gldt-{rand(20)}",
        lambda: f"glrt-{rand(20)}",
        lambda: f"glptt-{rand(40, '0123456789abcdef')}",
        lambda: f"GR1348941{rand(20)}",
    ],
    ids=["routable-pat", "deploy", "runner", "trigger", "runner-registration"],
)
def test_gitlab_token_kinds(detector: Detector, token) -> None:
    value = token()
    found = [m for m in find(detector, f'GITLAB = "{value}"\n') if m.rule.id == "gitlab-token"]
    assert [m.secret for m in found] == [value]


@pytest.mark.parametrize(
    "url",
    [
        "postgres://app:{pw}@db.example.internal:5432/app",
        "mysql+pymysql://app:{pw}@10.0.0.5/app",
        "mongodb+srv://app:{pw}@cluster0.ab1cd.mongodb.net/db",
        "redis://:{pw}@cache.internal:6379/0",
        "rediss://default:{pw}@cache.upstash.io:6379",
        "amqps://worker:{pw}@mq.internal/vhost",
    ],
)
def test_database_urls(detector: Detector, url: str) -> None:
    password = KEYGEN["database-url-password"]()
    text = f'DATABASE_URL = "{url.format(pw=password)}"\n'
    found = [m for m in find(detector, text) if m.rule.id == "database-url-password"]
    assert [m.secret for m in found] == [password]


def test_clerk_and_stripe_keys_are_told_apart(detector: Detector) -> None:
    clerk, stripe = KEYGEN["clerk-secret-key"](), KEYGEN["stripe-live-key"]()
    assert "stripe-live-key" not in ids(find(detector, f"CLERK_SECRET_KEY={clerk}\n"))
    assert "clerk-secret-key" not in ids(find(detector, f"STRIPE_SECRET_KEY={stripe}\n"))
    legacy_stripe = f"sk_live_{rand(24)}"
    assert "stripe-live-key" in ids(find(detector, f"STRIPE_SECRET_KEY={legacy_stripe}\n"))


def test_stripe_test_keys_are_low(detector: Detector) -> None:
    found = [m for m in find(detector, f"STRIPE_KEY=sk_test_{rand(99)}\n") if m.rule.id == "stripe-test-key"]
    assert [m.severity for m in found] == ["low"]


# --- near misses: nothing at all may fire ---------------------------------------------------------

QUIET = [
    'OPENAI_API_KEY = "YOUR_API_KEY"',
    "OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "api_key: <token>",
    'token = "<your-token-here>"',
    "GROQ_API_KEY=gsk_" + "a" * 52,
    'GROQ_API_KEY = "gsk_your_groq_api_key_here"',
    "ANTHROPIC_API_KEY=sk-ant-api03-...",
    "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
    "OPENROUTER_API_KEY=sk-or-v1-" + "0" * 64,
    'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])',
    "const groq = new Groq({ apiKey: process.env.GROQ_API_KEY });",
    "OPENAI_API_KEY=${OPENAI_API_KEY}",
    '  api_key: "${{ secrets.DEEPSEEK_API_KEY }}"',
    'mistral_api_key = os.getenv("MISTRAL_API_KEY")',
    "DEEPSEEK_API_KEY=$DEEPSEEK_API_KEY",
    'curl -H "Authorization: Bearer YOUR_API_TOKEN" https://api.groq.com/openai/v1/models',
    "curl https://api.openai.com/v1/models -H 'Authorization: Bearer $OPENAI_API_KEY'",
    "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----",
    "DATABASE_URL=postgres://postgres:postgres@localhost:5432/app",
    "DATABASE_URL=postgresql://user:password@localhost/db",
    "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app",
    "MONGO_URL=mongodb+srv://<username>:<password>@cluster0.mongodb.net/test",
    "REDIS_URL=redis://:changeme@localhost:6379",
    "AMQP_URL=amqp://guest:guest@localhost:5672/",
    "AzureWebJobsStorage=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;",
    "SLACK_WEBHOOK=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    'stripe.api_key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"',
    'SUPABASE_SERVICE_KEY = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"',
    "TELEGRAM_BOT_TOKEN=123456789:AAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "DOCKER_PASSWORD=dckr_pat_xxxxx",
    "LANGSMITH_API_KEY=lsv2_pt_...",
    'PINECONE_API_KEY = "pcsk_..."',
    "CONVEX_DEPLOY_KEY=prod:mild-newt-621|...",
    "SENTRY_AUTH_TOKEN=sntrys_YOUR_TOKEN_HERE",
]


@pytest.mark.parametrize("text", QUIET)
def test_near_miss_reports_nothing(detector: Detector, text: str) -> None:
    assert find(detector, text + "\n") == []


def test_supabase_anon_key_is_public(detector: Detector) -> None:
    anon = supabase_jwt("anon")
    assert find(detector, f"NEXT_PUBLIC_SUPABASE_ANON_KEY={anon}\n") == []
    assert "supabase-service-role-key" not in ids(find(detector, f'supabaseKey: "{anon}"\n'))


def test_supabase_demo_service_role_is_public(detector: Detector) -> None:
    from keygen import jwt

    demo = jwt({"iss": "supabase-demo", "role": "service_role", "exp": 1983812996})
    assert "supabase-service-role-key" not in ids(find(detector, f"SERVICE_ROLE_KEY={demo}\n"))


# --- near misses of one rule: that rule must stay quiet (a generic match may remain) --------------


def test_github_token_with_wrong_checksum(detector: Detector) -> None:
    token = github_token()
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert "github-token" not in ids(find(detector, f'GH = "{wrong}"\n'))


def test_cloudflare_token_with_wrong_checksum(detector: Detector) -> None:
    token = KEYGEN["cloudflare-scannable-token"]()
    wrong = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert "cloudflare-scannable-token" not in ids(find(detector, f'CF = "{wrong}"\n'))


def test_truncated_private_key(detector: Detector) -> None:
    lines = PEM_KEYS["rsa-pkcs8"]().strip().splitlines()
    truncated = "\n".join(lines[:5] + lines[-1:])
    assert "private-key" not in ids(find(detector, truncated))


# Rules whose regex fixes the length: one character less or more is not their key.
FIXED_LENGTH = [
    "openai-legacy-key", "anthropic-api-key", "groq-api-key", "openrouter-api-key", "google-api-key",
    "mistral-api-key", "cohere-api-key", "together-api-key", "deepseek-api-key", "perplexity-api-key",
    "huggingface-token", "huggingface-org-token", "replicate-api-token", "cerebras-api-key",
    "aws-access-key-id", "aws-secret-access-key", "google-oauth-client-secret", "cloudflare-api-token",
    "cloudflare-origin-ca-key", "digitalocean-token", "vercel-token", "supabase-access-token",
    "github-token", "github-fine-grained-pat", "gitlab-token", "npm-token", "docker-hub-token",
    "sendgrid-api-key", "twilio-api-key", "twilio-auth-token", "sentry-user-token", "shopify-token",
    "langsmith-api-key", "telegram-bot-token",
]  # fmt: skip


@pytest.mark.parametrize("rule_id", FIXED_LENGTH)
@pytest.mark.parametrize("change", ["shorter", "longer"])
def test_wrong_length_is_not_the_key(detector: Detector, rule_id: str, change: str) -> None:
    key = KEYGEN[rule_id]()
    wrong = key[:-1] if change == "shorter" else key + "7"
    assert rule_id not in ids(find(detector, embed(rule_id, wrong)))


@pytest.mark.parametrize("rule_id", ["mistral-api-key", "deepseek-api-key", "vercel-token", "discord-bot-token"])
def test_context_rules_need_their_variable_name(detector: Detector, rule_id: str) -> None:
    key = KEYGEN[rule_id]()
    assert rule_id not in ids(find(detector, f'build_id = "{key}"\n'))


# How often the filters drop a random key of a rule's own format (a loss of recall). Generic
# values may be dropped a little more: letters-only values are skipped by design (README).
RECALL_DRAWS = 3000


@pytest.mark.parametrize("rule_id", sorted(r.id for r in load().rules if not r.confirm))
def test_filters_keep_random_keys_of_the_rule_format(rule_id: str) -> None:
    from aicheck.scan.detector import plausible
    from keygen import RAW_KEYGEN

    rule = load().rule(rule_id)
    assert rule is not None
    dropped = [v for v in (RAW_KEYGEN[rule_id]() for _ in range(RECALL_DRAWS)) if not plausible(rule, v)]
    limit = 0.01 if rule.generic else 0.001
    assert len(dropped) <= limit * RECALL_DRAWS, (len(dropped), dropped[:5])
