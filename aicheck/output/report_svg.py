"""The html report's charts as inline SVG: the score gauge, latency per provider, trends.

Plain strings, no library and no script: the page's CSP forbids both. Every text is escaped;
colours come from the page's CSS classes, so the charts follow its light, dark and print styles.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
import html

from aicheck.output import common
from aicheck.report.model import ProviderLatency

GAUGE_RADIUS = 64
LABEL_CHARS = 14


def gauge(value: int, grade: str, label: str) -> str:
    """A ring filled to ``value`` of 100, the number in the middle."""
    circumference = 2 * math.pi * GAUGE_RADIUS
    filled = circumference * max(0, min(100, value)) / 100
    return (
        f'<svg class="gauge {escape(grade)}" viewBox="0 0 160 160" role="img" aria-label="{escape(label)}" id="score-gauge">'
        f'<circle class="track" cx="80" cy="80" r="{GAUGE_RADIUS}"/>'
        f'<circle class="value" cx="80" cy="80" r="{GAUGE_RADIUS}" stroke-dasharray="{filled:.2f} {circumference:.2f}" transform="rotate(-90 80 80)"/>'
        f'<text class="number" x="80" y="88" text-anchor="middle">{value}</text>'
        f'<text class="of" x="80" y="112" text-anchor="middle">/ 100</text>'
        "</svg>"
    )


def latency_chart(latency: Sequence[ProviderLatency], slo_ms: float | None, fmt: Callable[[float], str]) -> str:
    """One row per provider: each answered call a dot, ticks at p50 and p95, the SLO dashed."""
    width, left, right, row, top = 400, 92, 384, 44, 14
    samples = [value for item in latency for value in item.samples]
    most, ticks = _axis(max([*samples, slo_ms or 0.0, 1.0]) * 1.05)
    height = top + row * len(latency) + 30

    def x(value: float) -> float:
        return left + (right - left) * value / most

    out = [f'<svg class="chart latency" viewBox="0 0 {width} {height}" role="img" aria-label="Latency per provider" id="latency-chart">']
    seconds = most >= 2000
    for tick in ticks:
        last = tick == ticks[-1]
        shown = f"{tick / 1000:g}" if seconds else f"{tick:g}"
        shown += (" s" if seconds else " ms") if last else ""
        anchor = "end" if last else "middle"
        out.append(f'<line class="grid" x1="{x(tick):.1f}" y1="{top - 6}" x2="{x(tick):.1f}" y2="{height - 24}"/>')
        out.append(f'<text class="axis" x="{x(tick) + (6 if last else 0):.1f}" y="{height - 8}" text-anchor="{anchor}">{escape(shown)}</text>')
    for index, item in enumerate(latency):
        out += _latency_row(item, top + row * index + row / 2, x, fmt)
    if slo_ms:
        out.append(f'<line class="slo" x1="{x(slo_ms):.1f}" y1="{top - 8}" x2="{x(slo_ms):.1f}" y2="{height - 24}"/>')
        out.append(f'<text class="slo-label" x="{x(slo_ms) - 4:.1f}" y="{top - 2}" text-anchor="end">SLO p95 {escape(fmt(slo_ms))}</text>')
    out.append("</svg>")
    return "".join(out)


def _latency_row(item: ProviderLatency, middle: float, x: Callable[[float], float], fmt: Callable[[float], str]) -> list[str]:
    short = item.provider if len(item.provider) <= LABEL_CHARS else item.provider[: LABEL_CHARS - 1] + "…"
    out = [f'<text class="label" x="0" y="{middle + 4:.1f}"><title>{escape(item.provider)}</title>{escape(short)}</text>']
    out.append(f'<line class="lane" x1="{x(0):.1f}" y1="{middle:.1f}" x2="{x(x_max(item)):.1f}" y2="{middle:.1f}"/>' if item.samples else "")
    for index, value in enumerate(item.samples):
        jitter = ((index * 7) % 9 - 4) * 2.0  # spread equal values apart, the same way every time
        out.append(f'<circle class="dot" cx="{x(value):.1f}" cy="{middle + jitter:.1f}" r="3.5"><title>{escape(fmt(value))}</title></circle>')
    for name, mark in (("p50", item.p50_ms), ("p95", item.p95_ms)):
        if mark is not None:
            out.append(f'<line class="{name}" x1="{x(mark):.1f}" y1="{middle - 13:.1f}" x2="{x(mark):.1f}" y2="{middle + 13:.1f}"><title>{name} {escape(fmt(mark))}</title></line>')
    if item.p95_ms is not None:
        at = x(item.p95_ms)
        place = f'x="{at + 5:.1f}"' if at < 300 else f'x="{at - 5:.1f}" text-anchor="end"'
        out.append(f'<text class="note" {place} y="{middle - 9:.1f}">p95 {escape(fmt(item.p95_ms))}</text>')
    if not item.samples:
        out.append(f'<text class="note" x="{x(0) + 4:.1f}" y="{middle + 4:.1f}">no answered call</text>')
    return out


def x_max(item: ProviderLatency) -> float:
    return max(item.samples) if item.samples else 0.0


def trend_chart(label: str, values: Sequence[float | None], fmt: Callable[[float], str], chart_id: str) -> str:
    """A small line chart of one figure over the report runs, oldest left; the last value top right."""
    width, height, top, bottom = 400, 62, 24, 56
    known = [v for v in values if v is not None]
    out = [f'<svg class="chart trend" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)} over the last runs" id="{escape(chart_id)}">',
           f'<text class="title" x="0" y="14">{escape(label)}</text>']
    if not known:
        out.append(f'<text class="note" x="0" y="{(top + bottom) / 2 + 4:.0f}">not measured yet</text></svg>')
        return "".join(out)
    low, high = min(known), max(known)
    step = (width - 8) / max(1, len(values) - 1)

    def point(index: int, value: float) -> tuple[float, float]:
        px = 4 + step * index if len(values) > 1 else width / 2
        return px, (top + bottom) / 2 if high == low else bottom - (value - low) / (high - low) * (bottom - top)

    out.append(f'<text class="last" x="{width}" y="14" text-anchor="end">{escape(fmt(known[-1]))}</text>')
    out.append(f'<line class="grid" x1="0" y1="{bottom + 4}" x2="{width}" y2="{bottom + 4}"/>')
    for segment in _segments(values):
        coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in (point(i, v) for i, v in segment))
        out.append(f'<polyline class="line" points="{coords}"/>')
    for index, value in enumerate(values):
        if value is not None:
            px, py = point(index, value)
            out.append(f'<circle class="dot" cx="{px:.1f}" cy="{py:.1f}" r="3.5"><title>{escape(fmt(value))}</title></circle>')
    out.append("</svg>")
    return "".join(out)


def _segments(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive known values: a run without a figure breaks the line."""
    segments: list[list[tuple[int, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
        else:
            segments[-1].append((index, value))
    return [segment for segment in segments if segment]


def _axis(value: float) -> tuple[float, list[float]]:
    """Round ticks (1, 2, 2.5 or 5 times a power of ten) from 0 to just past ``value``."""
    raw = value / 4
    base = 10 ** math.floor(math.log10(raw))
    step = next(factor * base for factor in (1, 2, 2.5, 5, 10) if factor * base >= raw)
    count = max(1, math.ceil(value / step))
    return step * count, [step * index for index in range(count + 1)]


def escape(text: str) -> str:
    """Text as html: control characters made visible, then markup characters escaped."""
    return html.escape(common.printable(text), quote=True)
