"""The report as one self-contained html file: no script, no external font, image or style, and a
Content-Security-Policy that forbids the page to load anything at all. Charts are inline SVG
(``report_svg``). It reads on a phone (one column, tables scroll sideways inside their card) and
prints (light colours, no card cut across pages). Every text from the report is escaped.
"""

from __future__ import annotations

import html
from typing import Any

import aicheck
from aicheck.output import common
from aicheck.output import report as words
from aicheck.output import report_svg as svg
from aicheck.report.model import Part, Report

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
:root{--bg:#f5f6f8;--card:#fff;--ink:#1b1f24;--muted:#5b6470;--line:#e3e6ea;--track:#e6e8ec;
--good:#15803d;--fair:#b45309;--poor:#b91c1c;--accent:#2563eb;--chip:#eef1f4;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0f1216;--card:#171b21;--ink:#e6e9ee;--muted:#9aa4b1;--line:#2a3038;
--track:#2a3038;--good:#4ade80;--fair:#fbbf24;--poor:#f87171;--accent:#60a5fa;--chip:#222831}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
-webkit-text-size-adjust:100%}
header.top{padding:14px 20px;border-bottom:1px solid var(--line);background:var(--card)}
header.top .brand{font-weight:700;letter-spacing:.02em}
header.top .meta{color:var(--muted);font-size:13px;overflow-wrap:anywhere}
main{max-width:1180px;margin:0 auto;padding:16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:0 0 16px;min-width:0}
h1{font-size:28px;margin:0 0 4px}h2{font-size:17px;margin:0 0 10px}h3{font-size:15px;margin:14px 0 6px}
p{margin:6px 0}code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--chip);padding:1px 5px;border-radius:4px;overflow-wrap:anywhere}
.hero{display:flex;gap:20px;align-items:center}
.hero .gauge{width:150px;height:150px;flex:none}
.hero .text{min-width:0}
.grade{font-size:16px;font-weight:600;padding:2px 10px;border-radius:999px;vertical-align:middle;margin-left:6px}
.grade.good{color:var(--good);background:color-mix(in srgb,var(--good) 14%,transparent)}
.grade.fair{color:var(--fair);background:color-mix(in srgb,var(--fair) 14%,transparent)}
.grade.poor{color:var(--poor);background:color-mix(in srgb,var(--poor) 14%,transparent)}
.muted{color:var(--muted)}.bad{color:var(--poor)}.warn{color:var(--fair)}.ok{color:var(--good)}
.cap{color:var(--poor);font-weight:600}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin:10px 0 0;padding:0;list-style:none}
.chips li{background:var(--chip);border-radius:999px;padding:2px 10px;font-size:13px}
.chips li.ran::before{content:"● ";color:var(--good)}.chips li.skipped::before{content:"○ ";color:var(--muted)}
.chips li.error::before{content:"● ";color:var(--poor)}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.grid>.card{margin:0}
.grid+.card,.grid{margin-bottom:16px}
ol.deductions{margin:0;padding:0;list-style:none}
ol.deductions li{display:flex;gap:10px;padding:6px 0;border-top:1px solid var(--line);align-items:baseline}
ol.deductions li:first-child{border-top:0}
.pts{flex:none;min-width:3.2em;font-weight:700;color:var(--poor);font-variant-numeric:tabular-nums}
.why{min-width:0;overflow-wrap:anywhere}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 10px 6px 0;border-top:1px solid var(--line);vertical-align:top;overflow-wrap:break-word}
th{font-weight:600;border-top:0;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em;white-space:nowrap}
td.tone{white-space:nowrap;font-weight:600}
.meter{height:8px;border-radius:4px;background:var(--track);overflow:hidden;min-width:60px}
.meter>span{display:block;height:100%;background:var(--accent)}
.meter.bad>span{background:var(--poor)}.meter.warn>span{background:var(--fair)}.meter.ok>span{background:var(--good)}
svg{display:block;width:100%;height:auto}
svg.chart{max-width:640px}
svg text{fill:var(--ink);font:12px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
svg .axis,svg .note{fill:var(--muted);font-size:11px}
svg .note,svg .slo-label{paint-order:stroke;stroke:var(--card);stroke-width:4px;stroke-linejoin:round}
svg .title{font-weight:600}
svg .grid{stroke:var(--line);stroke-width:1}
svg .lane{stroke:var(--line);stroke-width:6;stroke-linecap:round}
svg .dot{fill:var(--accent);fill-opacity:.6}
svg .p50{stroke:var(--ink);stroke-width:2}svg .p95{stroke:var(--fair);stroke-width:3}
svg .slo{stroke:var(--poor);stroke-width:1.5;stroke-dasharray:5 4}svg .slo-label{fill:var(--poor);font-size:11px}
svg .line{fill:none;stroke:var(--accent);stroke-width:2.5;stroke-linejoin:round}
svg .last{font-size:14px;font-weight:700}svg .trend .title{font-size:13px}
.gauge .track{fill:none;stroke:var(--track);stroke-width:14}
.gauge .value{fill:none;stroke-width:14;stroke-linecap:round}
.gauge.good .value{stroke:var(--good)}.gauge.fair .value{stroke:var(--fair)}.gauge.poor .value{stroke:var(--poor)}
.gauge .number{font-size:46px;font-weight:700}.gauge .of{fill:var(--muted);font-size:14px}
.trend+.trend{margin-top:6px}
footer{color:var(--muted);font-size:13px;padding:4px 2px 24px}
@media (max-width:760px){.grid{grid-template-columns:1fr}}
@media (max-width:520px){main{padding:10px}.card{padding:12px}.hero{flex-direction:column;align-items:flex-start;gap:8px}
.hero .gauge{width:120px;height:120px}h1{font-size:24px}body{font-size:14px}
svg text{font-size:15px}svg .axis,svg .note,svg .slo-label{font-size:13px}svg .last{font-size:17px}svg .trend .title{font-size:15px}
table,tbody,tr,td{display:block;width:100%}thead{display:none}tr{border-top:1px solid var(--line);padding:6px 0}
td{border:0;padding:1px 0;display:flex;gap:8px}td::before{content:attr(data-label);flex:none;width:6.5em;color:var(--muted);
font-size:12px;text-transform:uppercase;letter-spacing:.03em;padding-top:2px}td>.meter{flex:1;align-self:center}}
@media print{:root{--bg:#fff;--card:#fff;--ink:#000;--muted:#444;--line:#ccc;--chip:#f1f1f1;color-scheme:light}
body{font-size:11pt}main{max-width:none;padding:0}header.top{border:0;padding:0 0 8px}
.card{border:1px solid #bbb;break-inside:avoid;page-break-inside:avoid}.grid{display:block}.grid>.card{margin:0 0 12px}
.scroll{overflow:visible}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}@page{margin:14mm}}
"""


def render(report: Report, **_: Any) -> str:
    score = report.score
    title = f"aicheck report: {score.value}/100"
    body = "".join((
        _header(report), "<main>", _hero(report), _deductions(report),
        '<div class="grid">', _latency(report), _trends(report), "</div>",
        _service(report), _checks(report), _footer(report), "</main>",
    ))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def _header(report: Report) -> str:
    meta = " · ".join(escape(item) for item in (report.root, report.generated_at, f"aicheck {aicheck.__version__}") if item)
    return f'<header class="top"><div class="brand">aicheck report</div><div class="meta">{meta}</div></header>'


def _hero(report: Report) -> str:
    score = report.score
    label = f"Score {score.value} out of 100: {words.GRADES[score.grade]}"
    lines = [f'<p>{escape(words.taken(report))}</p>', f'<p class="muted">{escape(words.coverage(report))}</p>']
    cap = words.cap_line(report)
    if cap:
        lines.append(f'<p class="cap">{escape(cap)}</p>')
    verdict = words.verdict(report)
    if verdict:
        lines.append(f'<p class="{"bad" if report.failed else "ok"}"><strong>{escape(verdict)}</strong></p>')
    chips = "".join(f'<li class="{escape(part.status)}">{escape(part.command)}</li>' for part in report.parts)
    return (
        f'<section class="card hero" id="summary">{svg.gauge(score.value, score.grade, label)}<div class="text">'
        f'<h1>{score.value}/100 <span class="grade {escape(score.grade)}">{escape(words.GRADES[score.grade])}</span></h1>'
        f'{"".join(lines)}<ul class="chips">{chips}</ul></div></section>'
    )


def _deductions(report: Report) -> str:
    if not report.score.deductions:
        return '<section class="card" id="deductions"><h2>Deductions</h2><p class="ok">Nothing deducted.</p></section>'
    items = "".join(
        f'<li><span class="pts">-{d.points}</span><span class="why">{escape(d.reason)} <code>{escape(d.command)}</code></span></li>'
        for d in report.score.deductions
    )
    return f'<section class="card" id="deductions"><h2>Deductions</h2><ol class="deductions">{items}</ol></section>'


def _latency(report: Report) -> str:
    p95 = next((slo.target for slo in report.slos if slo.name == "p95_latency_ms"), None)
    if report.latency:
        chart = svg.latency_chart(report.latency, p95, words.ms)
        note = '<p class="muted">Each dot is an answered call (cache hits excluded); the thin tick is p50, the thick one p95.</p>'
    else:
        smoke = report.part("smoke")
        chart, note = "", f'<p class="muted">No latency measured: smoke {escape(words.part_line(smoke))}.</p>'
    return f'<section class="card" id="latency"><h2>Latency per provider</h2>{chart}{note}</section>'


def _trends(report: Report) -> str:
    points = report.trends
    charts = "".join((
        svg.trend_chart("Score", [None if p.score is None else float(p.score) for p in points], lambda v: f"{v:.0f}", "trend-score"),
        svg.trend_chart("p95 latency", [p.p95_ms for p in points], words.ms, "trend-p95"),
        svg.trend_chart("Cost per request", [p.cost_per_request_usd for p in points], words.usd, "trend-cost"),
    ))
    runs = len(points)
    note = "This is the first report run kept: trends grow from the next one." if runs <= 1 else f"The last {runs} report runs, oldest left."
    return f'<section class="card" id="trends"><h2>Trends</h2>{charts}<p class="muted">{escape(note)}</p></section>'


def _service(report: Report) -> str:
    out = ['<section class="card" id="service"><h2>Service levels</h2>', _table(words.slo_rows(report.slos))]
    budget = words.budget_line(report)
    if budget and report.budget is not None:
        share = min(100.0, (report.budget.day_fraction or 0) * 100)
        tone = "bad" if share >= 90 else "warn" if share >= 50 else "ok"
        out.append(f'<h3>Budget</h3><p>{escape(budget)}</p><div class="meter {tone}"><span style="width:{share:.1f}%"></span></div>')
    tone = words.FALLBACK_TONES[report.fallback.status]
    out.append(f'<h3>Fallback</h3><p class="{tone}">{escape(words.fallback_line(report))}</p>')
    headroom = words.headroom_rows(report.headroom)
    if headroom:
        out.append(f"<h3>Rate-limit headroom</h3>{_headroom(report)}")
    out.append("</section>")
    return "".join(out)


def _headroom(report: Report) -> str:
    rows = words.headroom_rows(report.headroom)
    head = "".join(f"<th>{escape(name)}</th>" for name in rows.headers)
    body = []
    for item, cells, tone in zip(report.headroom, rows.rows, rows.tones):
        share = "" if item.fraction is None else f'<div class="meter {tone}"><span style="width:{max(0.0, min(1.0, item.fraction)) * 100:.1f}%"></span></div>'
        tds = "".join(
            f'<td data-label="{escape(rows.headers[index])}">{escape(cell)}{share if index == rows.tone_column else ""}</td>'
            for index, cell in enumerate(cells)
        )
        body.append(f"<tr>{tds}</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _checks(report: Report) -> str:
    return '<section class="card" id="checks"><h2>Checks</h2>' + "".join(_part(part) for part in report.parts) + "</section>"


def _part(part: Part) -> str:
    tone = "muted" if part.status == "skipped" else "bad" if part.status == "error" else ""
    head = f'<h3 id="check-{escape(part.name)}">{escape(words.TITLES[part.name])} <code>aicheck {escape(part.command)}</code></h3>'
    line = f'<p class="{tone}">{escape(words.part_line(part))}</p>'
    rows = words.part_rows(part)
    more = f'<p class="muted">… and {rows.more} more: run <code>aicheck {escape(part.command)}</code></p>' if rows.more else ""
    return head + line + (_table(rows) if rows else "") + more


def _table(rows: words.Rows) -> str:
    head = "".join(f"<th>{escape(name)}</th>" for name in rows.headers)
    body = []
    for cells, tone in zip(rows.rows, rows.tones):
        tds = "".join(
            f'<td class="{"tone " + tone if index == rows.tone_column else ""}" data-label="{escape(rows.headers[index])}">{escape(cell)}</td>'
            for index, cell in enumerate(cells)
        )
        body.append(f"<tr>{tds}</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _footer(report: Report) -> str:
    notes = "".join(f"<p>{escape(note)}</p>" for note in report.notes)
    return f"<footer>{notes}<p>Made by aicheck {escape(aicheck.__version__)}.</p></footer>"


def escape(text: str) -> str:
    """Text as html: control characters made visible, then markup characters escaped."""
    return html.escape(common.printable(text), quote=True)
