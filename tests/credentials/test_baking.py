"""Baking a credential into a PNG badge and reading it back (kvalis.credentials.baking)."""

import io
import struct
import zlib

import pytest
from PIL import Image

from kvalis.credentials import baking

JWT = "eyJhbGciOiJFZERTQSIsInR5cCI6InZjK2p3dCJ9.eyJpZCI6InVybjp1dWlkOjEifQ.c2lnbmF0dXJl"


def picture() -> bytes:
    return baking.badge_picture(
        title="Jaunimui atviros erdvės kultūros įstaigose ir darbo jose specifika",
        issuer="Utenos A. ir M. Miškinių viešoji biblioteka",
        label="Kvalifikacijos tobulinimo pažymėjimas",
    )


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    found, position = [], 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        found.append((kind, png[position + 8 : position + 8 + length]))
        position += 12 + length
    return found


def test_baked_badge_is_a_valid_png_that_pillow_opens():
    baked = baking.bake(picture(), JWT)

    image = Image.open(io.BytesIO(baked))
    image.load()  # decodes every pixel: the CRCs and the data stream are intact
    assert image.format == "PNG"
    assert image.size == (baking.SIZE, baking.SIZE)
    # Pillow reads the same chunk independently of baking.extract.
    assert image.info["openbadgecredential"] == JWT


def test_extraction_returns_the_jwt_exactly():
    assert baking.extract(baking.bake(picture(), JWT)) == JWT


def test_the_chunk_is_an_uncompressed_itxt_before_iend():
    """OB 3.0 baking: keyword openbadgecredential, compression flag 0, no language tag."""
    found = chunks(baking.bake(picture(), JWT))

    assert found[0][0] == b"IHDR"
    assert found[-1][0] == b"IEND"
    kind, data = found[-2]
    assert kind == b"iTXt"
    assert data == b"openbadgecredential\x00\x00\x00\x00\x00" + JWT.encode()


def test_baking_again_replaces_the_credential_instead_of_adding_one():
    twice = baking.bake(baking.bake(picture(), "a.b.c"), JWT)

    itxt = [data for kind, data in chunks(twice) if kind == b"iTXt"]
    assert len(itxt) == 1
    assert baking.extract(twice) == JWT


def test_a_compressed_chunk_written_by_another_baker_is_read():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt("openbadgecredential", JWT, zip=True)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG", pnginfo=info)

    assert baking.extract(buffer.getvalue()) == JWT


def test_a_png_without_a_credential_is_refused_with_a_clear_message():
    with pytest.raises(baking.BakingError) as error:
        baking.extract(picture())
    assert "openbadgecredential" in str(error.value.message)


def test_a_file_that_is_not_a_png_is_refused():
    with pytest.raises(baking.BakingError) as error:
        baking.extract(b"GIF89a not a png at all")
    assert error.value.message == baking.NOT_PNG


@pytest.mark.parametrize(
    "damage",
    [
        lambda png: png[:-20],  # cut short
        lambda png: png[:40] + bytes([png[40] ^ 0xFF]) + png[41:],  # a flipped byte: CRC fails
        lambda png: baking.PNG_SIGNATURE + struct.pack(">I", 2**31) + b"IHDR",  # absurd length
    ],
    ids=["truncated", "flipped-byte", "absurd-length"],
)
def test_a_damaged_png_is_refused(damage):
    with pytest.raises(baking.BakingError) as error:
        baking.extract(damage(baking.bake(picture(), JWT)))
    assert error.value.message == baking.DAMAGED_PNG


def test_a_compression_bomb_is_not_inflated_beyond_the_limit():
    bomb = zlib.compress(b"a" * (baking.MAX_TEXT_BYTES * 4))
    text = b"openbadgecredential\x00\x01\x00\x00\x00" + bomb
    png = picture()
    iend = png.rindex(b"IEND") - 4
    crafted = png[:iend] + baking._chunk(b"iTXt", text) + png[iend:]

    with pytest.raises(baking.BakingError):
        baking.extract(crafted)


def test_the_picture_is_drawn_once_per_activity():
    baking.badge_picture.cache_clear()
    picture()
    picture()
    assert baking.badge_picture.cache_info().hits == 1
