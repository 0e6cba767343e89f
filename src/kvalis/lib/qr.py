"""QR codes as inline SVG (pages, PDFs) or PNG data URIs, generated locally with segno."""

import segno


def qr_svg(data: str, *, scale: int = 4, title: str = "") -> str:
    """An <svg> element for `data`, to embed in HTML or a WeasyPrint document."""
    qr = segno.make(data, error="m")
    return qr.svg_inline(scale=scale, title=title or None, border=2)


def qr_data_uri(data: str, *, scale: int = 4) -> str:
    return segno.make(data, error="m").png_data_uri(scale=scale, border=2)
