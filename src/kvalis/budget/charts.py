"""A step line chart of cumulative spending over time, as server-rendered SVG.

Decorative to screen readers (aria-hidden): the page shows the same numbers in a data table.
"""

from datetime import date
from decimal import Decimal
from html import escape

from django.utils.safestring import mark_safe

from kvalis.lib.money import format_amount


def cumulative_chart_svg(
    series: list[tuple[date, Decimal, Decimal]],
    *,
    title: str,
    planned_total: Decimal,
    planned_label: str,
    start: date,
    end: date,
    width: int = 720,
    height: int = 300,
) -> str:
    left, right, top, bottom = 90, 20, 20, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    if series:
        start = min(start, series[0][0])
        end = max(end, series[-1][0])
    span = max(1, (end - start).days)
    peak = max([float(planned_total), *(float(total) for *_r, total in series), 1.0])

    def x(day: date) -> float:
        return left + (day - start).days / span * plot_w

    def y(value) -> float:
        return top + plot_h - float(value) / peak * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-hidden="true" focusable="false">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="#4a5568"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#4a5568"/>',
    ]
    for step in range(5):
        value = Decimal(str(peak)) * step / 4
        ty = y(value)
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" '
            f'stroke="#c9d1dc" stroke-width="0.5"/>'
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#1c2430">{escape(format_amount(value).split(",")[0])}</text>'
        )
    # Month ticks on the time axis.
    tick = date(start.year, start.month, 1)
    while tick <= end:
        if tick >= start:
            tx = x(tick)
            parts.append(
                f'<line x1="{tx:.1f}" y1="{top + plot_h}" x2="{tx:.1f}" y2="{top + plot_h + 4}" '
                f'stroke="#4a5568"/><text x="{tx:.1f}" y="{top + plot_h + 18}" '
                f'text-anchor="middle" font-size="11" fill="#1c2430">{tick:%Y-%m}</text>'
            )
        tick = date(tick.year + (tick.month == 12), tick.month % 12 + 1, 1)
    if planned_total:
        py = y(planned_total)
        parts.append(
            f'<line x1="{left}" y1="{py:.1f}" x2="{left + plot_w}" y2="{py:.1f}" '
            f'stroke="#8a4b00" stroke-width="1.5" stroke-dasharray="6 4"/>'
            f'<text x="{left + plot_w}" y="{py - 5:.1f}" text-anchor="end" font-size="11" '
            f'fill="#8a4b00">{escape(planned_label)}</text>'
        )
    if series:
        points = [(x(start), y(0))]
        previous = Decimal(0)
        for day, _spent, total in series:
            points.append((x(day), y(previous)))
            points.append((x(day), y(total)))
            previous = total
        points.append((x(end), y(previous)))
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#0b5394" stroke-width="2.5"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
