"""Server-rendered SVG charts: they work in pages and PDFs alike. Every chart is shown with its
data table (templates/includes/_chart.html) so screen readers get the numbers."""

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import mark_safe


@dataclass
class Chart:
    title: str
    rows: list[tuple[str, Decimal | int | float]]
    unit: str = ""
    value_label: str = ""

    @property
    def svg(self) -> str:
        return bar_chart_svg(self.rows, title=self.title, unit=self.unit)


def _fmt(value) -> str:
    if isinstance(value, int) or (
        isinstance(value, Decimal) and value == value.to_integral_value()
    ):
        return number_format(int(value), force_grouping=True)
    return number_format(value, decimal_pos=2 if isinstance(value, Decimal) else 1)


def bar_chart_svg(
    rows: list[tuple[str, Decimal | int | float]],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    bar_height: int = 22,
    label_width: int = 240,
) -> str:
    """Horizontal bars, one per (label, value); decorative to screen readers (the table speaks)."""
    gap = 8
    height = max(1, len(rows)) * (bar_height + gap) + gap
    top = max((float(value) for _label, value in rows), default=0) or 1.0
    plot = width - label_width - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-hidden="true" focusable="false">',
        f"<title>{escape(title)}</title>",
    ]
    suffix = f" {unit}" if unit else ""
    for index, (label, value) in enumerate(rows):
        y = gap + index * (bar_height + gap)
        length = max(0.0, float(value)) / top * plot
        text = escape(str(label))
        if len(text) > 38:
            text = text[:36] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" '
            f'font-size="12" fill="#1c2430">{text}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="#0b5394"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar_height * 0.7:.1f}" '
            f'font-size="12" fill="#1c2430">{escape(_fmt(value) + suffix)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
