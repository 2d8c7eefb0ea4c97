"""The avviso PDF carries the printed notice code, Italian text and the QR as an image."""

from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import date

from PIL import Image

from connectors.payments import NoticeDocument, format_euro, make_qr, render_notice_pdf

DOC = NoticeDocument(
    notice_number="301234567890123416", ec_fiscal_code="00000000000", ec_name="Comune di Prova",
    amount_cents=1600, due_date=date(2025, 12, 31), description="Diritti di segreteria pratica 123",
    debtor_name="Mario Rossi", debtor_fiscal_code="RSSMRA80A01H501U")


def _streams(pdf: bytes) -> list[tuple[bytes, bytes]]:
    """(dictionary, raw stream) pairs of every object with a stream."""
    pattern = re.compile(rb"<<(.*?)>>\s*stream\r?\n", re.S)
    out = []
    for m in pattern.finditer(pdf):
        length = int(re.search(rb"/Length (\d+)", m.group(1)).group(1))  # type: ignore[union-attr]
        out.append((m.group(1), pdf[m.end():m.end() + length]))
    return out


def _png_from_stream(width: int, height: int, data: bytes) -> Image.Image:
    """Wrap a FlateDecode stream with PNG predictors into a PNG file, so Pillow decodes it."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    return Image.open(io.BytesIO(png))


def test_pdf_has_the_notice_code_and_italian_text() -> None:
    pdf = render_notice_pdf(DOC)
    assert pdf.startswith(b"%PDF-")
    text = b"".join(zlib.decompress(raw) for d, raw in _streams(pdf)
                    if b"/FlateDecode" in d and b"/Image" not in d)
    for needle in ("3012 3456 7890 1234 16", "AVVISO DI PAGAMENTO", "Codice avviso".upper(), "16,00 Euro",
                   "entro il 31/12/2025", "00000000000", "Comune di Prova"):
        assert needle.encode("latin-1") in text, needle
    assert format_euro(123456) == "1.234,56"


def test_pdf_qr_image_is_the_notice_qr() -> None:
    pdf = render_notice_pdf(DOC)
    images = [(d, raw) for d, raw in _streams(pdf) if b"/Subtype /Image" in d]
    assert len(images) == 1
    info, raw = images[0]
    assert b"/Width 41" in info and b"/Height 41" in info  # 33 modules + 4-module quiet zone each side
    assert b"/DeviceGray" in info
    image = _png_from_stream(41, 41, raw)
    expected = make_qr(DOC.notice_number, DOC.ec_fiscal_code, DOC.amount_cents)
    matrix = [row for row in expected.matrix_iter(scale=1, border=4)]
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            assert (image.getpixel((x, y)) == 0) == bool(dark), (x, y)


def test_qr_is_drawn_25_mm_wide() -> None:
    pdf = render_notice_pdf(DOC)
    page = b"".join(zlib.decompress(raw) for d, raw in _streams(pdf) if b"/Image" not in d and b"/Flate" in d)
    m = re.search(rb"q ([\d.]+) 0 0 ([\d.]+) [\d.]+ [\d.]+ cm /I\d+ Do Q", page)
    assert m is not None
    width_mm = float(m.group(1)) / 72 * 25.4
    assert abs(width_mm - 25.0) < 0.01
