"""QR codes as inline SVG (pages, PDFs) or PNG data URIs, generated locally with segno."""

import segno
from django.utils.safestring import mark_safe


def qr_svg(data: str, *, scale: int = 4, title: str = "", scalable: bool = False) -> str:
    """An <svg> element for `data`, to embed in HTML or a WeasyPrint document.

    `scalable=True` leaves out the fixed size (only a viewBox), so CSS sets it: a projector
    screen, 30 mm on paper."""
    svg = segno.make(data, error="m").svg_inline(
        scale=1 if scalable else scale, border=2, omitsize=scalable, title=title or None
    )
    return mark_safe(svg)


def qr_data_uri(data: str, *, scale: int = 4) -> str:
    return segno.make(data, error="m").png_data_uri(scale=scale, border=2)
