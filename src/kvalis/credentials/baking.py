"""Baked badges: a PNG image that carries its credential inside it.

Open Badges 3.0 ("Baking", §5.3 of the specification): the credential goes into one `iTXt`
chunk with the keyword `openbadgecredential`, uncompressed, no language tag; for a VC-JWT the
chunk's text is the compact JWT itself. A wallet or verifier that is given the image reads the
chunk and verifies the JWT as it would any other.

The chunks are written and read here with `struct` and `zlib.crc32` rather than through Pillow:
reading an uploaded image then never decodes its pixels (no decompression bomb), and baking is a
byte splice on a cached image. Pillow only draws the badge picture, once per activity.
"""

import functools
import io
import struct
import zlib

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
# A credential is a few kilobytes; a chunk claiming more is not one (nor is it read).
MAX_TEXT_BYTES = 1024 * 1024

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
BRAND = (11, 83, 148, 255)  # --brand of kvalis.css
WHITE = (255, 255, 255, 255)
SIZE = 600


class BakingError(ValueError):
    """The file is not a PNG, or carries no credential. `message` is for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


NOT_PNG = gettext_lazy("The file is not a PNG image.")
DAMAGED_PNG = gettext_lazy("The PNG image is damaged: its chunks do not add up.")
NO_CREDENTIAL = gettext_lazy(
    "The image carries no Open Badges credential (no “openbadgecredential” text in it)."
)


# --- chunks ------------------------------------------------------------------------------------


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """The PNG's chunks as (type, data), checked: signature, lengths, CRCs, IHDR first and IEND
    last."""
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError(NOT_PNG)
    chunks = []
    position = len(PNG_SIGNATURE)
    while True:
        if position + 8 > len(png):
            raise BakingError(DAMAGED_PNG)
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        end = position + 8 + length
        if end + 4 > len(png):
            raise BakingError(DAMAGED_PNG)
        data = png[position + 8 : end]
        (crc,) = struct.unpack(">I", png[end : end + 4])
        if zlib.crc32(kind + data) != crc:
            raise BakingError(DAMAGED_PNG)
        chunks.append((kind, data))
        position = end + 4
        if kind == b"IEND":
            break
    if chunks[0][0] != b"IHDR":
        raise BakingError(DAMAGED_PNG)
    return chunks


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _itxt_keyword(data: bytes) -> bytes:
    return data.split(b"\0", 1)[0]


def _itxt_text(data: bytes) -> str:
    """iTXt data: keyword \\0 compression flag, method, language \\0 translated \\0 text."""
    try:
        _keyword, rest = data.split(b"\0", 1)
        compressed, method = rest[0], rest[1]
        _language, _translated, text = rest[2:].split(b"\0", 2)
    except (ValueError, IndexError):
        raise BakingError(DAMAGED_PNG) from None
    if compressed:
        if method != 0:
            raise BakingError(DAMAGED_PNG)
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, MAX_TEXT_BYTES + 1)
        except zlib.error:
            raise BakingError(DAMAGED_PNG) from None
    if len(text) > MAX_TEXT_BYTES:
        raise BakingError(NO_CREDENTIAL)
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError(DAMAGED_PNG) from None


def bake(png: bytes, credential: str) -> bytes:
    """`png` with `credential` (the compact JWT) in an `openbadgecredential` iTXt chunk, just
    before IEND. A credential already baked into the image is replaced: one image, one badge."""
    chunks = [
        (kind, data)
        for kind, data in _chunks(png)
        if not (kind == b"iTXt" and _itxt_keyword(data) == KEYWORD)
    ]
    text = KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + credential.encode("utf-8")
    chunks.insert(len(chunks) - 1, (b"iTXt", text))
    return PNG_SIGNATURE + b"".join(_chunk(kind, data) for kind, data in chunks)


def extract(png: bytes) -> str:
    """The credential baked into `png`; BakingError if it is not a PNG or carries none."""
    for kind, data in _chunks(png):
        if kind == b"iTXt" and _itxt_keyword(data) == KEYWORD:
            return _itxt_text(data).strip()
    raise BakingError(NO_CREDENTIAL)


def is_png(data: bytes) -> bool:
    return data.startswith(PNG_SIGNATURE)


# --- the picture -------------------------------------------------------------------------------


def _font(name: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(FONT_DIR + name, size)


def _wrap(draw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fitted(draw, text: str, name: str, *, width: int, sizes, max_lines: int):
    """The largest of `sizes` at which `text` fits in `max_lines` lines of `width` (the last
    size cuts it with an ellipsis)."""
    for size in sizes:
        font = _font(name, size)
        lines = _wrap(draw, text, font, width)
        if len(lines) <= max_lines and all(draw.textlength(x, font=font) <= width for x in lines):
            return font, lines
    lines = lines[:max_lines]
    while lines and draw.textlength(lines[-1] + "…", font=font) > width:
        lines[-1] = lines[-1][:-1]
    if lines:
        lines[-1] = lines[-1].rstrip() + "…"
    return font, lines


def _draw_lines(draw, lines, font, *, top: int, gap: int) -> int:
    for line in lines:
        box = draw.textbbox((0, 0), line, font=font)
        draw.text(((SIZE - (box[2] - box[0])) / 2 - box[0], top), line, font=font, fill=WHITE)
        top += font.size + gap
    return top


@functools.lru_cache(maxsize=64)
def badge_picture(*, title: str, issuer: str, label: str) -> bytes:
    """A round badge with the activity's title and its issuer: the same for every certificate
    of an activity, so drawn once and kept (baking then only splices the chunk in)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, SIZE - 4, SIZE - 4), fill=BRAND)
    draw.ellipse((26, 26, SIZE - 26, SIZE - 26), outline=WHITE, width=4)

    label_font, label_lines = _fitted(
        draw, label.upper(), "DejaVuSans-Bold.ttf", width=360, sizes=(20, 18, 16), max_lines=2
    )
    title_font, title_lines = _fitted(
        draw,
        title,
        "DejaVuSans-Bold.ttf",
        width=420,
        sizes=(40, 36, 32, 28, 25, 22),
        max_lines=5,
    )
    issuer_font, issuer_lines = _fitted(
        draw, issuer, "DejaVuSans.ttf", width=380, sizes=(22, 20, 18, 16), max_lines=3
    )
    height = (
        len(label_lines) * (label_font.size + 6)
        + 28
        + len(title_lines) * (title_font.size + 8)
        + 28
        + len(issuer_lines) * (issuer_font.size + 6)
    )
    top = max(90, (SIZE - height) // 2)
    top = _draw_lines(draw, label_lines, label_font, top=top, gap=6)
    draw.line((SIZE / 2 - 60, top + 10, SIZE / 2 + 60, top + 10), fill=WHITE, width=3)
    top = _draw_lines(draw, title_lines, title_font, top=top + 28, gap=8)
    draw.line((SIZE / 2 - 60, top + 10, SIZE / 2 + 60, top + 10), fill=WHITE, width=3)
    _draw_lines(draw, issuer_lines, issuer_font, top=top + 28, gap=6)

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def baked_badge(certificate, jwt: str) -> bytes:
    """The certificate's badge image, in Lithuanian, carrying its signed credential."""
    data = certificate.data
    with translation.override("lt"):
        label = data.get("certificate_title") or _("Qualification improvement certificate")
    picture = badge_picture(
        title=data.get("activity_title", ""), issuer=data.get("issuer_name", ""), label=label
    )
    return bake(picture, jwt)
