"""Certificate PDFs, fast enough to issue a thousand at once.

Rendering each certificate as its own WeasyPrint document costs ~100–150 ms; laying out the same
page as part of one long document still costs ~14 ms a page. Most of a certificate is the same
for a whole cohort (activity, project, dates, place, issuer, signatory, outcomes), so:

1. WeasyPrint renders the shared part — the *background* — from the HTML template once per
   group of certificates that print the same background (in practice: once per cohort), with
   empty slots where the personal values go. All backgrounds of a run are laid out as ONE
   WeasyPrint document (one page each) and split with pypdf.
2. Each background is rewritten once with pypdf: the overlay fonts (DejaVu, subset to the
   characters the group needs, with a ToUnicode map so text extraction keeps ą, č, ę, …) are
   added to the page resources, and the page's content gets one more, empty stream at the end.
3. Each certificate is then `background + an incremental update` that replaces that empty stream
   with a few hundred bytes drawing the number, the name, the hours, the date, the code and the
   QR code (vector squares). That is plain byte concatenation: well under a millisecond each.

`render_full_html()` renders a certificate as a single WeasyPrint document from the same
template with the slots filled, and `full_document_html()` puts many such pages in one HTML: the
benchmark's references (one document per certificate; one document of them all).
"""

import hashlib
import io
import json
import re
import threading
import warnings
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kvalis.certificates.models import HOLDER_WITHHELD_KEY
from kvalis.lib.pdf import render_html_to_pdf
from kvalis.lib.qr import qr_svg

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
FONTS = {"R": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf"}
MM = 72 / 25.4
PAGE_W, PAGE_H = 210, 297  # A4, mm
TEMPLATE = "certificates/pdf/certificate.html"

# Where the personal values go (mm from the top-left corner). The template reads the same numbers
# to leave those places empty, so the two can never drift apart.
LAYOUT = {
    "number_y": 63,  # baseline, centred
    "name_y": 80,  # baseline, centred
    "name_size": 22,
    "name_width": 170,
    "facts_top": 134,  # first row of the facts table (hours)
    "facts_row": 8,
    "facts_value_x": 88,
    "facts_label_x": 30,
    "qr_x": 158,
    "qr_y": 236,
    "qr_size": 32,
    "code_y": 274,  # baseline, under the QR code
}
INK = (0.11, 0.17, 0.24)
BRAND = (0.11, 0.31, 0.48)


def verification_url(code: str) -> str:
    return settings.SITE_URL + _verify_path() + code + "/"


@lru_cache(maxsize=1)
def _verify_path() -> str:
    """/verify/ — reversed once: reverse() per certificate is a measurable part of a batch."""
    return reverse("certificates:verify", args=["0"])[: -len("0/")]


def hours_text(value) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return formats.number_format(value, decimal_pos=1)


def academic_hours_text(value) -> str:
    """'1 academic hour', '16 academic hours', '15.3 academic hours'; '16 ak. val.'."""
    value = Decimal(value)
    count = int(value) if value == value.to_integral_value() else value
    with warnings.catch_warnings():
        # gettext warns of a non-integer count, which the Lithuanian plural rule has a form for.
        warnings.simplefilter("ignore", DeprecationWarning)
        template = ngettext("%(hours)s academic hour", "%(hours)s academic hours", count)
    return template % {"hours": hours_text(value)}


# --- what the overlay prints ------------------------------------------------------------------


@dataclass(frozen=True)
class Personal:
    number: str
    name: str
    hours: str
    dates: str
    place: str
    issued: str
    code: str
    url: str


def personal_values(certificate) -> Personal:
    d = certificate.data
    dates = (
        d["start_date"]
        if d["end_date"] == d["start_date"]
        else (f"{d['start_date']} – {d['end_date']}")
    )
    return Personal(
        number=_("No. %(number)s") % {"number": certificate.number},
        # An erased holder's name is withheld: the background says so where the name goes.
        name="" if d.get(HOLDER_WITHHELD_KEY) else certificate.participant_name,
        hours=academic_hours_text(certificate.hours),
        dates=dates,
        place=d.get("place") or "—",
        issued=certificate.issued_at.astimezone(_tz()).strftime("%Y-%m-%d"),
        code=certificate.verification_code,
        url=verification_url(certificate.verification_code),
    )


def _tz():
    from django.utils import timezone

    return timezone.get_default_timezone()


# What the overlay prints; everything else in the frozen data is the shared background, so one
# background serves every cohort of an activity.
PERSONAL_KEYS = {
    "participant_name",
    "hours",
    "start_date",
    "end_date",
    "place",
    "cohort_name",
}


def background_data(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in PERSONAL_KEYS}


def background_context(data: dict) -> dict:
    """What the background prints: only frozen data, never the live project."""
    return {"d": data, "layout": LAYOUT, "site_url": settings.SITE_URL}


# --- fonts --------------------------------------------------------------------------------------


@dataclass
class SubsetFont:
    key: str
    data: bytes
    base_name: str
    units: int
    cmap: dict[int, int]  # code point -> glyph id in the subset
    widths: dict[int, int]  # glyph id -> advance in 1/1000 em
    ascent: int
    descent: int
    bbox: tuple[int, int, int, int]

    def encode(self, text: str) -> str:
        return "".join(f"{self.cmap.get(ord(c), 0):04X}" for c in text)

    def width(self, text: str, size: float) -> float:
        return sum(self.widths.get(self.cmap.get(ord(c), 0), 500) for c in text) * size / 1000


# One fixed character set covers nearly every name, so the prepared background is reused; a name
# with other letters gets a background of its own (still exact, just not shared).
BASIC_CHARS = (
    "".join(chr(c) for c in range(32, 127))
    + "ąčęėįšųūžĄČĘĖĮŠŲŪŽ–„“"
    + "āēīōćńśźżłĀĒĪŌĆŃŚŹŻŁäöüõéèàçñÄÖÜÕÉÈÀÇÑ"
)


@lru_cache(maxsize=64)
def subset_font(key: str, chars: frozenset[str]) -> SubsetFont:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
    options.notdef_outline = True
    font = TTFont(FONT_DIR + FONTS[key], lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    font = TTFont(io.BytesIO(buffer.getvalue()))
    units = font["head"].unitsPerEm
    order = font.getGlyphOrder()
    gid = {name: i for i, name in enumerate(order)}
    cmap = {cp: gid[name] for cp, name in font.getBestCmap().items()}
    hmtx = font["hmtx"].metrics
    widths = {gid[name]: round(adv * 1000 / units) for name, (adv, _lsb) in hmtx.items()}
    head = font["head"]
    digest = hashlib.sha1(f"{key}{sorted(chars)}".encode()).digest()
    tag = "".join(chr(65 + b % 26) for b in digest[:6])
    return SubsetFont(
        key=key,
        data=buffer.getvalue(),
        base_name=f"{tag}+{font['name'].getDebugName(6) or 'DejaVuSerif'}",
        units=units,
        cmap=cmap,
        widths=widths,
        ascent=round(font["hhea"].ascent * 1000 / units),
        descent=round(font["hhea"].descent * 1000 / units),
        bbox=tuple(round(v * 1000 / units) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
    )


def _to_unicode(font: SubsetFont) -> bytes:
    pairs = sorted({g: cp for cp, g in font.cmap.items()}.items())
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(pairs), 100):
        chunk = pairs[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        for g, cp in chunk:
            lines.append(f"<{g:04X}> <{chr(cp).encode('utf-16-be').hex().upper()}>")
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode()


def _font_objects(writer, font: SubsetFont):
    """Add a Type0/CIDFontType2 font to a pypdf writer; return its indirect reference."""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    def stream(data: bytes, **entries):
        obj = DecodedStreamObject()
        obj.set_data(data)
        for key, value in entries.items():
            obj[NameObject("/" + key)] = value
        return writer._add_object(obj.flate_encode())

    font_file = stream(font.data, Length1=NumberObject(len(font.data)))
    name = NameObject("/" + font.base_name)
    descriptor = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/FontDescriptor"),
                NameObject("/FontName"): name,
                NameObject("/Flags"): NumberObject(32),
                NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in font.bbox),
                NameObject("/ItalicAngle"): NumberObject(0),
                NameObject("/Ascent"): NumberObject(font.ascent),
                NameObject("/Descent"): NumberObject(font.descent),
                NameObject("/CapHeight"): NumberObject(font.ascent),
                NameObject("/StemV"): NumberObject(80),
                NameObject("/FontFile2"): font_file,
            }
        )
    )
    widths = ArrayObject()
    for gid, width in sorted(font.widths.items()):
        widths += [NumberObject(gid), ArrayObject([NumberObject(width)])]
    cid_font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/CIDFontType2"),
                NameObject("/BaseFont"): name,
                NameObject("/CIDSystemInfo"): DictionaryObject(
                    {
                        NameObject("/Registry"): TextStringObject("Adobe"),
                        NameObject("/Ordering"): TextStringObject("Identity"),
                        NameObject("/Supplement"): NumberObject(0),
                    }
                ),
                NameObject("/FontDescriptor"): descriptor,
                NameObject("/W"): widths,
                NameObject("/DW"): NumberObject(600),
                NameObject("/CIDToGIDMap"): NameObject("/Identity"),
            }
        )
    )
    return writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type0"),
                NameObject("/BaseFont"): name,
                NameObject("/Encoding"): NameObject("/Identity-H"),
                NameObject("/DescendantFonts"): ArrayObject([cid_font]),
                NameObject("/ToUnicode"): stream(_to_unicode(font)),
            }
        )
    )


# --- backgrounds --------------------------------------------------------------------------------


@dataclass
class Background:
    pdf: bytes  # a complete one-page PDF with classic cross-reference table
    slot: int  # object number of the empty content stream each certificate replaces
    size: int  # /Size of the trailer
    root: str  # "n 0 R" of the catalogue
    xref_offset: int
    fonts: dict[str, SubsetFont]


def render_background_pages(datas: Sequence[dict], *, language: str) -> list[bytes]:
    """All backgrounds as ONE WeasyPrint document, split into one-page PDFs."""
    from pypdf import PdfReader, PdfWriter

    with translation.override(language):
        html = render_to_string(
            TEMPLATE,
            {"pages": [background_context(d) for d in datas], "layout": LAYOUT, "mode": "bg"},
        )
    reader = PdfReader(io.BytesIO(render_html_to_pdf(html)))
    pages = []
    for page in reader.pages:
        writer = PdfWriter()
        writer.add_page(page)
        buffer = io.BytesIO()
        writer.write(buffer)
        pages.append(buffer.getvalue())
    return pages


def prepare_background(page_pdf: bytes, charset: frozenset[str]) -> Background:
    """Add the overlay fonts and the empty slot stream to a one-page background."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    fonts = {key: subset_font(key, charset) for key in FONTS}
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(page_pdf)))
    page = writer.pages[0]

    def stream(data: bytes):
        obj = DecodedStreamObject()
        obj.set_data(data)
        return writer._add_object(obj)

    contents = page.get("/Contents")
    originals = list(contents) if isinstance(contents.get_object(), ArrayObject) else [contents]
    slot = stream(b"")
    page[NameObject("/Contents")] = ArrayObject(
        [stream(b"q\n"), *originals, stream(b"\nQ\n"), slot]
    )
    resources = page["/Resources"].get_object()
    font_dict = resources.get("/Font")
    font_dict = font_dict.get_object() if font_dict is not None else DictionaryObject()
    for key, font in fonts.items():
        font_dict[NameObject(f"/Kv{key}")] = _font_objects(writer, font)
    resources[NameObject("/Font")] = font_dict
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    match = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)
    trailer = data[data.rfind(b"trailer") :]
    size = int(re.search(rb"/Size (\d+)", trailer).group(1))
    root = re.search(rb"/Root (\d+ \d+ R)", trailer).group(1).decode()
    return Background(
        pdf=data,
        slot=slot.idnum,
        size=size,
        root=root,
        xref_offset=int(match.group(1)),
        fonts=fonts,
    )


# --- the overlay ---------------------------------------------------------------------------------


def _text(font: SubsetFont, size: float, x_mm: float, y_mm: float, text: str, *, centre=False):
    x = x_mm * MM
    if centre:
        x = (PAGE_W * MM - font.width(text, size)) / 2
    y = (PAGE_H - y_mm) * MM
    return f"BT /Kv{font.key} {size:g} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm <{font.encode(text)}> Tj ET"


_DARK_RUN = re.compile(rb"\x01+")
# zxing-cpp draws a QR code as an image: 0 (black) for a dark module, 255 for a light one.
_DARK_PIXEL = bytes(int(value < 128) for value in range(256))


def qr_rows(url: str) -> list[bytes]:
    """The QR code of `url` (level M) as rows of 0/1 bytes, 1 for dark, without the quiet
    zone. zxing-cpp makes it in C++ (about 0.3 ms, its best mask chosen), where segno, which
    draws the QR codes of the pages, takes 1.4 ms with a fixed mask: a batch of 1 000
    certificates makes 1 000 of them."""
    import zxingcpp

    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = memoryview(code.to_image(scale=1, add_quiet_zones=False))
    height, width = image.shape
    dark = image.tobytes().translate(_DARK_PIXEL)
    return [dark[row * width : (row + 1) * width] for row in range(height)]


def _qr(url: str, x_mm: float, y_mm: float, size_mm: float) -> str:
    """The QR code as filled squares. The coordinate system is scaled to one module per unit, so
    each run of dark modules is a short integer rectangle (fast to write, small to store)."""
    matrix = qr_rows(url)
    count = len(matrix)
    module = size_mm * MM / count
    bottom = (PAGE_H - y_mm - size_mm) * MM
    rects = [
        f"{run.start()} {count - 1 - row} {run.end() - run.start()} 1 re"
        for row, line in enumerate(matrix)
        for run in _DARK_RUN.finditer(line)
    ]
    return (
        f"q {module:.4f} 0 0 {module:.4f} {x_mm * MM:.2f} {bottom:.2f} cm 0 0 0 rg\n"
        + "\n".join(rects)
        + "\nf Q"
    )


def _fit(font: SubsetFont, text: str, size: float, width_mm: float, *, lines: int = 1):
    """The text in at most `lines` lines of `width_mm` at `size`, shrinking the size if needed."""
    width = width_mm * MM
    while True:
        result, line = [], ""
        for word in text.split():
            candidate = f"{line} {word}".strip()
            if line and font.width(candidate, size) > width:
                result.append(line)
                line = word
            else:
                line = candidate
        result.append(line)
        fits = len(result) <= lines and all(font.width(t, size) <= width for t in result)
        if fits or size <= 6:
            return result[:lines], size
        size -= 0.5


def overlay_stream(background: Background, personal: Personal) -> bytes:
    regular, bold = background.fonts["R"], background.fonts["B"]
    (name,), name_size = _fit(bold, personal.name, LAYOUT["name_size"], LAYOUT["name_width"])
    row = LAYOUT["facts_row"]
    first = LAYOUT["facts_top"] + 4.2
    x = LAYOUT["facts_value_x"]
    place, place_size = _fit(regular, personal.place, 11, PAGE_W - 20 - x, lines=2)
    ink = "{:.2f} {:.2f} {:.2f} rg".format(*INK)
    ops = [
        ink,
        _text(regular, 12, 0, LAYOUT["number_y"], personal.number, centre=True),
        "{:.2f} {:.2f} {:.2f} rg".format(*BRAND),
        _text(bold, name_size, 0, LAYOUT["name_y"], name, centre=True),
        ink,
        _text(bold, 11, x, first, personal.hours),
        _text(regular, 11, x, first + row, personal.dates),
        _text(regular, 11, x, first + row * 2, personal.issued),
        *(
            _text(regular, place_size, x, first + row * 3 + i * place_size * 0.42, text)
            for i, text in enumerate(place)
        ),
        _qr(personal.url, LAYOUT["qr_x"], LAYOUT["qr_y"], LAYOUT["qr_size"]),
        ink,
        _text(
            regular,
            8,
            LAYOUT["qr_x"] + (LAYOUT["qr_size"] - regular.width(personal.code, 8) / MM) / 2,
            LAYOUT["code_y"],
            personal.code,
        ),
    ]
    return zlib.compress("\n".join(ops).encode("latin-1"), 6)


def stamp(background: Background, personal: Personal) -> bytes:
    """The background plus an incremental update that fills the slot: one certificate's PDF."""
    content = overlay_stream(background, personal)
    base = background.pdf
    offset = len(base) + 1
    obj = (
        (
            f"\n{background.slot} 0 obj\n"
            f"<< /Length {len(content)} /Filter /FlateDecode >>\nstream\n"
        ).encode()
        + content
        + b"\nendstream\nendobj\n"
    )
    xref_at = offset + len(obj) - 1
    xref = (
        f"xref\n0 1\n0000000000 65535 f \n{background.slot} 1\n{offset:010d} 00000 n \n"
        f"trailer\n<< /Size {background.size} /Root {background.root} "
        f"/Prev {background.xref_offset} >>\nstartxref\n{xref_at}\n%%EOF\n"
    ).encode()
    return base + obj + xref


# --- the public entry points ------------------------------------------------------------------


_BACKGROUND_PAGES: "OrderedDict[str, bytes]" = OrderedDict()
_PREPARED: "OrderedDict[tuple, Background]" = OrderedDict()
CACHE_SIZE = 64


_CACHE_LOCK = threading.Lock()


def _remember(cache: OrderedDict, key, value):
    with _CACHE_LOCK:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return value


def _background_key(data: dict, language: str) -> str:
    shared = json.dumps(background_data(data), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{language}|{settings.SITE_URL}|{shared}".encode()).hexdigest()


def render_certificates(certificates: Sequence, *, language: str = "lt") -> dict[str, bytes]:
    """PDFs for many certificates, saved or not yet: {verification code: bytes}.

    Backgrounds are rendered (all missing ones in ONE WeasyPrint run) and prepared once, then
    kept in this process: a worker issuing cohort after cohort of an activity reuses them."""
    groups: dict[str, list] = {}
    for certificate in certificates:
        groups.setdefault(_background_key(certificate.data, language), []).append(certificate)
    missing = [key for key in groups if key not in _BACKGROUND_PAGES]
    if missing:
        pages = render_background_pages(
            [background_data(groups[key][0].data) for key in missing], language=language
        )
        for key, page in zip(missing, pages, strict=True):
            _remember(_BACKGROUND_PAGES, key, page)
    basic = frozenset(BASIC_CHARS)
    result: dict[int, bytes] = {}
    with translation.override(language):
        for key, group in groups.items():
            values = [(c.verification_code, personal_values(c)) for c in group]
            chars = {ch for _pk, p in values for text in vars(p).values() for ch in text}
            charset = basic if chars <= basic else basic | chars
            background = _PREPARED.get((key, charset))
            if background is None:
                background = _remember(
                    _PREPARED,
                    (key, charset),
                    prepare_background(_BACKGROUND_PAGES[key], charset),
                )
            for pk, personal in values:
                result[pk] = stamp(background, personal)
    return result


def render_certificate(certificate, *, language: str = "lt") -> bytes:
    return render_certificates([certificate], language=language)[certificate.verification_code]


def full_document_html(certificates: Sequence, *, language: str = "lt") -> str:
    """The certificates as ONE HTML document, a page each, every value filled in by the template
    itself (no background, no overlay): the simple way, kept as the benchmark's references."""
    with translation.override(language):
        pages = []
        for certificate in certificates:
            personal = personal_values(certificate)
            pages.append(
                {
                    **background_context(certificate.data),
                    "personal": personal,
                    "qr_svg": qr_svg(personal.url, scale=3),
                }
            )
        return render_to_string(TEMPLATE, {"pages": pages, "layout": LAYOUT, "mode": "full"})


def render_full_html(certificate, *, language: str = "lt") -> bytes:
    """One certificate as its own WeasyPrint document (the slow, simple way; for comparison)."""
    return render_html_to_pdf(full_document_html([certificate], language=language))
