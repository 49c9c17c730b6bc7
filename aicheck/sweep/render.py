"""The sweep's result as text, JSON (one envelope), SARIF (one run per repository) or html
(repositories ranked by risk, live keys first). Renderers only format: scores and ranks come
from ``merge``. Findings are redacted before they reach this module; nothing here can show a key."""

from __future__ import annotations

import html
import json
from typing import Any

from aicheck.sweep.merge import RepoOutcome, SweepResult

FORMATS = ("text", "json", "sarif", "html")


def render(result: SweepResult, fmt: str) -> str:
    return {"text": _text, "json": _json, "sarif": _sarif, "html": _html}[fmt](result)


def _json(result: SweepResult) -> str:
    from aicheck.output import envelope

    data = envelope("sweep", "repositories", [r.to_dict() for r in result.ranked()], result.summary())
    return json.dumps(data, indent=2) + "\n"


def _text(result: SweepResult) -> str:
    from aicheck.output.common import printable

    lines = []
    for repo in result.ranked():
        if repo.status == "failed":
            lines.append(f"FAILED  {printable(repo.name)}: {printable(repo.error or '')}")
            continue
        s = repo.summary()
        live = f", {s['live_keys']} LIVE" if s["live_keys"] else ""
        lines.append(f"{s['score']:>3}  {printable(repo.name)}: {s['findings']} findings{live}, {s['commits_scanned']} new commits scanned")
        for f in repo.findings:
            status = (f.get("verification") or {}).get("status")
            where = f"{f['file']}:{f['line']}" + (f" @ {f['commit'][:12]}" if f.get("commit") else "")
            extra = (" [in HEAD]" if f.get("in_head") else "") + (f" [{status}]" if status else "")
            lines.append(f"       {f['severity']:<8} {f['rule']:<24} {printable(where)} {f['secret_redacted']}{extra}")
    s = result.summary()
    resumed = " (resumed)" if s["resumed"] else ""
    lines.append(
        f"{s['repositories']} repositories swept{resumed}: {s['with_findings']} with findings, {s['findings']} findings, "
        f"{s['live_keys']} live keys, {s['failed']} failed; {s['commits_scanned']} commits in {s['duration_s']:.1f} s"
    )
    return "\n".join(lines) + "\n"


def _sarif(result: SweepResult) -> str:
    from aicheck import catalog
    from aicheck.output.common import Options
    from aicheck.output.sarif import document
    from aicheck.scan.finding import Finding, ScanResult

    fields = set(Finding.__dataclass_fields__)
    runs = []
    options = Options(tuple(catalog.load().rules), False, False, None, False)
    for repo in result.ranked():
        findings = [Finding(**{k: v for k, v in f.items() if k in fields}, secret="") for f in repo.findings]
        run: dict[str, Any] = document(ScanResult(repo.name, findings), options)["runs"][0]
        run["automationDetails"] = {"id": f"aicheck-sweep/{repo.name}/"}
        run["versionControlProvenance"] = [{"repositoryUri": repo.url}] if "://" in repo.url else []
        runs.append(run)
    return json.dumps({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": runs}, indent=2) + "\n"


_STYLE = """body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}
td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
.live{color:#fff;background:#b00020;padding:0 4px;border-radius:3px}.failed{color:#b00020}
.score{font-weight:bold;text-align:right}details{margin:0}code{font-size:12px}"""


def _html(result: SweepResult) -> str:
    s = result.summary()
    rows = "\n".join(_html_row(rank, repo) for rank, repo in enumerate(result.ranked(), 1))
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>aicheck sweep</title>"
        f"<style>{_STYLE}</style></head><body><h1>aicheck sweep</h1>"
        f"<p>{s['repositories']} repositories, {s['with_findings']} with findings, {s['findings']} findings, "
        f"<b>{s['live_keys']} live keys</b>, {s['failed']} failed; {s['commits_scanned']} commits scanned.</p>"
        "<table><tr><th>#</th><th>risk</th><th>repository</th><th>live</th><th>findings</th><th>in HEAD</th><th>details</th></tr>"
        f"{rows}</table></body></html>\n"
    )


def _html_row(rank: int, repo: RepoOutcome) -> str:
    e = html.escape
    if repo.status == "failed":
        return f"<tr><td>{rank}</td><td></td><td>{e(repo.name)}</td><td colspan=4 class=failed>failed: {e(repo.error or '')}</td></tr>"
    s = repo.summary()
    live = f"<span class=live>{s['live_keys']}</span>" if s["live_keys"] else "0"
    items = "".join(
        f"<li>{e(f['severity'])} {e(f['rule'])} <code>{e(f['file'])}:{f['line']}</code> "
        f"<code>{e(f['secret_redacted'])}</code> {e((f.get('commit') or '')[:12])} "
        f"{e((f.get('verification') or {}).get('status', ''))}</li>"
        for f in repo.findings
    )
    details = f"<details><summary>{len(repo.findings)}</summary><ul>{items}</ul></details>" if repo.findings else ""
    return (
        f"<tr><td>{rank}</td><td class=score>{s['score']}</td><td>{e(repo.name)}</td><td>{live}</td>"
        f"<td>{s['findings']}</td><td>{s['in_head']}</td><td>{details}</td></tr>"
    )
