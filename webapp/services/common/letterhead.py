"""The ente's letterhead on the PDFs we generate (receipts, the documents sent to the protocol register):
its logo when it has one, its name and fiscal code, then the document's title."""

from __future__ import annotations

import io
import logging
from typing import Any

from fpdf import FPDF

from webapp.models import Tenant
from webapp.services.common.storage import MissingObject
from webapp.services.common.uploads import read_stored

log = logging.getLogger(__name__)

# The core PDF fonts speak Latin-1 only; anything else is replaced rather than failing.
_ENCODING = "latin-1"
_LOGO_HEIGHT_MM = 18


def pdf_text(value: str) -> str:
    return value.encode(_ENCODING, "replace").decode(_ENCODING)


def _logo(tenant: Tenant) -> bytes | None:
    """The logo of the ente's settings (`{"key", "mime"}`, stored and checked by the settings pages). A logo
    we cannot read leaves the header without it rather than failing a document the register waits for."""
    raw: Any = (tenant.settings or {}).get("logo")
    if not isinstance(raw, dict) or not isinstance(raw.get("key"), str):
        return None
    try:
        return read_stored(raw["key"])
    except (MissingObject, OSError):
        log.warning("logo of tenant %s not readable", tenant.id)
    return None


def letterhead_pdf(tenant: Tenant, title: str) -> FPDF:
    """A new A4 document with the ente's header and `title` (also the PDF's own title) written."""
    pdf = FPDF()
    pdf.set_title(pdf_text(title))
    pdf.set_author(pdf_text(tenant.name))
    pdf.add_page()
    logo = _logo(tenant)
    if logo is not None:
        try:
            pdf.image(io.BytesIO(logo), h=_LOGO_HEIGHT_MM)
        except Exception:  # a broken image must not stop a legal document; fpdf raises several kinds
            log.warning("logo of tenant %s not drawable", tenant.id)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, pdf_text(tenant.name), new_x="LMARGIN", new_y="NEXT")
    if tenant.fiscal_code:
        pdf.set_font("Helvetica", size=9)
        pdf.multi_cell(0, 5, pdf_text(f"C.F. {tenant.fiscal_code}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, pdf_text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    return pdf


def write_line(pdf: FPDF, text: str, *, bold: bool = False, size: int = 10) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", size)
    pdf.multi_cell(0, 6, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
