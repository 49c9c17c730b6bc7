"""What ``env check`` reports: the checks it knows, a finding, and the result of a run (data only).

Each check has a stable id (``env.duplicate-key``), one severity and a default fix hint. The ids
are a contract: they appear in JSON, SARIF rules, ``[env] disable`` and ``aicheck:allow`` markers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from aicheck.scan.finding import SEVERITY_ORDER


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    title: str
    description: str
    fix: str


def _checks(*checks: Check) -> dict[str, Check]:
    return {check.id: check for check in checks}


CHECKS: dict[str, Check] = _checks(
    # Files that cannot be read as a .env at all.
    Check("env.unreadable", "high", "Unreadable .env file",
          "The file is binary, not UTF-8 or too large: python-dotenv cannot load it as the app would.",
          "Save it as UTF-8 text with one KEY=value per line, or move it out of the .env* names."),
    # Syntax and hygiene, as python-dotenv reads the file.
    Check("env.syntax-error", "high", "Unparsable line",
          "python-dotenv cannot parse the statement; it logs a warning and skips it, so the variable is never set.",
          "Write it as KEY=value (quote values that contain spaces or '#')."),
    Check("env.unterminated-quote", "high", "Unterminated quote",
          "A quoted value has no closing quote, or the closing quote is lines later and the value swallows the "
          "assignments in between.",
          "Close the quote on the line where the value ends."),
    Check("env.duplicate-key", "medium", "Duplicated key",
          "The same key is assigned twice in one file; the last assignment wins, which is rarely what the "
          "reader of the first one expects.",
          "Keep one assignment of the key."),
    Check("env.invalid-key", "medium", "Invalid key characters",
          "A key with characters other than letters, digits and '_' (or starting with a digit) cannot be set "
          "from a shell, Docker --env-file or most deployment platforms.",
          "Rename the key to letters, digits and underscores, starting with a letter or '_'."),
    Check("env.lowercase-key", "low", "Lowercase key",
          "Environment variable names are upper case by convention; most libraries look them up case-sensitively.",
          "Use the upper-case name the code reads."),
    Check("env.space-around-equals", "low", "Spaces around '='",
          "python-dotenv accepts 'KEY = value', but shells, Docker --env-file and many platforms do not.",
          "Write KEY=value with no spaces around '='."),
    Check("env.missing-equals", "low", "Key without '='",
          "A line with a key and no '=' is read as an unset variable (None), not as an empty one.",
          "Write KEY= for an empty value, or remove the line."),
    Check("env.bad-substitution", "medium", "Broken ${} substitution",
          "python-dotenv expands ${VAR} and ${VAR:-default} only; an unclosed '${', an empty or invalid name, or "
          "shell forms such as ${VAR:=x} are kept as literal text or expand to an empty string.",
          "Write ${NAME} or ${NAME:-default}; python-dotenv has no escape for a literal '${'."),
    Check("env.trailing-whitespace", "low", "Trailing whitespace",
          "Whitespace at the end of a line is invisible; Docker --env-file and shells keep it in unquoted values.",
          "Remove the spaces or tabs at the end of the line."),
    # Drift against the example file, required keys and the fallback chain.
    Check("env.missing-key", "high", "Missing key",
          "A key listed in the example file or in [env] required is set neither in the .env files nor in the "
          "environment.",
          "Add it to .env (or the deployment's environment), or mark it '# optional' in the example file."),
    Check("env.not-configured", "medium", "App not configured",
          "The example file lists keys and none of them is set: there is no .env file and the environment sets "
          "none of them, so the app cannot start with its providers. (Apps found below the checked folder, such as "
          "a monorepo's examples, are listed as info: run env check in their folder to check one for real.)",
          "Copy the example file to the file the app loads and fill in the values, or set them in the deployment."),
    Check("env.extra-key", "low", "Key missing from the example",
          "A key the .env file sets is not documented in the example file, so nobody else knows to set it.",
          "Add the key, with a placeholder value, to the example file."),
    Check("env.empty-required", "high", "Required key is empty",
          "A key the app needs (listed in the example file or [env] required) is set to an empty value.",
          "Give it a value, or mark it '# optional' in the example file."),
    Check("env.chain-key-missing", "high", "Fallback chain key not set",
          "A provider in the configured [[chain]] needs this key_env, but it is not set (or empty) in the .env "
          "files and the environment: that provider will fail on every request.",
          "Set the key in .env or the deployment's environment, or remove the provider from [[chain]]."),
    # Values.
    Check("env.placeholder", "high", "Placeholder value",
          "The value is a stand-in from an example or a tutorial (your-api-key-here, changeme, sk-xxxx, <token>), "
          "not a real value.",
          "Replace it with the real value, or remove the line if the variable is not needed."),
    Check("env.provider-mismatch", "high", "Another provider's key",
          "The value is a key of a different provider than the one the variable is named for (an Anthropic key "
          "in OPENAI_API_KEY): every request will fail with an authentication error.",
          "Move the key to the variable of its provider and put a key of the right provider here."),
    Check("env.key-format", "medium", "Unexpected key format",
          "The value does not fit any key format of the provider the variable is named for.",
          "Check that the whole key was copied; if a gateway or proxy issues this key, set [env] patterns for it."),
    Check("env.pattern-mismatch", "medium", "Value does not match its pattern",
          "The value does not match the regular expression configured for the key in [env] patterns.",
          "Fix the value, or the pattern in [env] patterns."),
    Check("env.client-exposed-secret", "critical", "Secret in a client-exposed variable",
          "Front-end frameworks inline variables with a public prefix (VITE_, NEXT_PUBLIC_, REACT_APP_, "
          "EXPO_PUBLIC_, NUXT_PUBLIC_, PUBLIC_, GATSBY_, VUE_APP_) into the JavaScript bundle: anyone who loads "
          "the site can read the secret.",
          "Rotate the key, drop the public prefix and call the provider from server code (an API route or "
          "serverless function) that the browser calls instead."),
    # Git.
    Check("env.tracked-secret", "critical", ".env with secrets tracked by git",
          "The file is committed: everyone with access to the repository, its forks and its history has the "
          "secrets in it.",
          "Rotate the secrets, `git rm --cached` the file, add it to .gitignore and remove it from history "
          "(git filter-repo); or encrypt it with dotenvx."),
    Check("env.not-ignored", "high", ".env with secrets not ignored by git",
          "The file holds secrets and no .gitignore rule covers it: the next `git add .` commits it.",
          "Add the file name to .gitignore (`.env*` with `!.env.example`)."),
    Check("env.keys-file-committed", "critical", "dotenvx .env.keys committed",
          "The .env.keys file holds the private keys that decrypt every dotenvx-encrypted value; committed, the "
          "encryption protects nothing.",
          "Rotate the keys (`dotenvx rotate`), `git rm --cached .env.keys`, add it to .gitignore and keep the "
          "private keys in the deployment's secret store."),
    # dotenvx.
    Check("env.dotenvx-wrong-key", "high", "dotenvx private key does not fit",
          "A DOTENV_PRIVATE_KEY is set but is not the private key of the file's DOTENV_PUBLIC_KEY, or is not a "
          "secp256k1 private key: the app cannot decrypt the file.",
          "Set the private key printed by `dotenvx keypair` for this file."),
    Check("env.dotenvx-malformed", "medium", "Malformed dotenvx value",
          "An encrypted: value is not valid base64 ECIES data, or fails authentication with the file's own "
          "private key: it was truncated or edited by hand.",
          "Set the value again with `dotenvx set KEY value -f FILE`."),
    Check("env.dotenvx-plaintext", "medium", "Plaintext secret in an encrypted file",
          "The file is encrypted with dotenvx, but this secret was added in plaintext afterwards.",
          "Run `dotenvx encrypt -f FILE` (or name the key *_PLAIN if it is not a secret)."),
    # Production (--production).
    Check("env.debug-enabled", "high", "Debug mode on",
          "A debug flag is on in the production configuration: stack traces, debug endpoints or verbose logs "
          "reach users and attackers.",
          "Set it to false (or remove it) in the production configuration."),
    Check("env.not-production", "medium", "Environment not set to production",
          "NODE_ENV, APP_ENV or a similar variable says development or test in the production configuration: "
          "frameworks keep dev behaviour (slow paths, verbose errors, dev-only routes).",
          "Set it to production."),
    Check("env.localhost-url", "medium", "localhost URL in production",
          "A URL points at localhost, 127.0.0.1, 0.0.0.0 or ::1: in production that is the app's own container, "
          "not the service it names.",
          "Point it at the production host of the service."),
    Check("env.weak-secret", "high", "Weak signing secret",
          "A JWT, session or encryption secret is short or not random: tokens and cookies signed with it can be "
          "forged after an offline guess.",
          "Generate 32 random bytes: `openssl rand -base64 32`."),
    # Source code.
    Check("env.vite-process-env", "high", "process.env in Vite client code",
          "Vite does not define process.env in browser code: process.env.X is undefined at runtime (or, if "
          "vite.config defines it, inlined into the bundle).",
          "Read server-only values in server code; for a value that is safe to publish use import.meta.env.VITE_X."),
    Check("env.vite-define-env", "critical", "vite.config inlines process.env",
          "vite.config defines process.env from the build environment: every variable the client code reads, "
          "secrets included, is inlined into the bundle.",
          "Remove the process.env entry from define; expose only VITE_ variables through import.meta.env."),
    Check("env.vite-import-meta-secret", "high", "Secret read through import.meta.env",
          "Client code reads a secret through import.meta.env: with the VITE_ prefix its value is in the bundle; "
          "without it Vite leaves it undefined, and the usual fix (adding VITE_) would publish it.",
          "Move the call that needs the secret to server code and call that from the browser."),
    Check("env.next-client-secret", "critical", "Secret used in a Next.js client component",
          "A 'use client' component reads a NEXT_PUBLIC_ variable that holds a secret: Next.js inlines it into "
          "the browser bundle.",
          "Rotate the key, rename it without NEXT_PUBLIC_ and use it only in server components, route handlers "
          "or server actions."),
    Check("env.next-client-server-env", "medium", "Server variable in a Next.js client component",
          "A 'use client' component reads process.env.X without the NEXT_PUBLIC_ prefix: Next.js does not "
          "inline it, so it is undefined in the browser.",
          "Read it in a server component, route handler or server action and pass the result down."),
)

PRODUCTION_CHECKS = ("env.debug-enabled", "env.not-production", "env.localhost-url", "env.weak-secret")
SOURCE_CHECKS = (
    "env.vite-process-env", "env.vite-define-env", "env.vite-import-meta-secret",
    "env.next-client-secret", "env.next-client-server-env",
)


@dataclass
class EnvFinding:
    check: str
    severity: str
    file: str  # relative to the project root, '/' separated
    line: int  # 0: the file as a whole
    key: str | None
    message: str
    fix: str
    app: str = "."  # the app folder it belongs to, relative to the checked root (monorepos)

    @property
    def title(self) -> str:
        return CHECKS[self.check].title

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line, self.check, self.key or "")

    @property
    def fingerprint(self) -> str:
        """Stable across line moves when a key names the finding."""
        where = self.key if self.key is not None else str(self.line)
        raw = f"{self.check}\0{self.file}\0{where}"
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.check,
            "title": self.title,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "message": self.message,
            "fix": self.fix,
            "fingerprint": self.fingerprint,
            "app": self.app,
        }


def finding(check: str, file: str, line: int, key: str | None, message: str, fix: str | None = None) -> EnvFinding:
    """A finding with its check's severity and, unless given, its default fix."""
    spec = CHECKS[check]
    return EnvFinding(check, spec.severity, file, line, key, message, fix or spec.fix)


@dataclass
class EnvResult:
    root: str
    findings: list[EnvFinding]
    files: list[str] = field(default_factory=list)  # the .env files checked
    example: str | None = None
    framework: str | None = None
    production: bool = False
    checks: list[str] = field(default_factory=list)  # ids of the checks that ran
    encrypted: int = 0  # dotenvx values seen
    decrypted: int = 0
    allowed: int = 0  # findings silenced by an aicheck:allow marker
    notes: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    apps: list[dict[str, Any]] = field(default_factory=list)  # every app folder checked, root first
    loader: str = ""  # what loads the .env files in the root app (Next.js, Vite, dotenv, python-dotenv)

    @property
    def by_severity(self) -> dict[str, int]:
        counts = {name: 0 for name in SEVERITY_ORDER}
        for item in self.findings:
            counts[item.severity] += 1
        return counts

    def summary(self) -> dict[str, Any]:
        return {
            "findings": len(self.findings),
            "by_severity": self.by_severity,
            "files": self.files,
            "example": self.example,
            "framework": self.framework,
            "production": self.production,
            "encrypted_values": self.encrypted,
            "decrypted_values": self.decrypted,
            "allowed": self.allowed,
            "notes": self.notes,
            "apps": self.apps,
            "duration_s": round(self.duration_s, 3),
        }
