"""The QR code printed on a payment notice: ISO/IEC 18004, version 4, error correction M."""

from __future__ import annotations

import io

import segno

from connectors.payments.contrib.pagopa.notice import qr_string

QR_VERSION = 4
QR_ERROR = "m"
QUIET_ZONE = 4


def make_qr(notice_number: str, ec_fiscal_code: str, amount_cents: int) -> segno.QRCode:
    """The QR symbol; `boost_error=False` keeps level M as the spec says."""
    data = qr_string(notice_number, ec_fiscal_code, amount_cents)
    return segno.make(data, error=QR_ERROR, version=QR_VERSION, boost_error=False, encoding="utf-8")


def qr_png(notice_number: str, ec_fiscal_code: str, amount_cents: int, *, scale: int = 3) -> bytes:
    """PNG with 3 px modules by default (the screen size in the spec)."""
    out = io.BytesIO()
    make_qr(notice_number, ec_fiscal_code, amount_cents).save(out, kind="png", scale=scale, border=QUIET_ZONE)
    return out.getvalue()


def qr_svg(notice_number: str, ec_fiscal_code: str, amount_cents: int) -> str:
    """Monochrome vector SVG, 1 unit per module, white background."""
    out = io.BytesIO()
    make_qr(notice_number, ec_fiscal_code, amount_cents).save(
        out, kind="svg", scale=1, border=QUIET_ZONE, light="#fff", xmldecl=False)
    return out.getvalue().decode()
