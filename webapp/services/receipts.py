"""The receipt of a submitted application (modulo compilato) as a PDF."""

from __future__ import annotations

import json
from typing import Any

from fpdf import FPDF

from webapp.models import Application

# The core PDF fonts speak Latin-1 only; anything else is replaced rather than failing.
_ENCODING = "latin-1"


def _text(value: Any) -> str:
    raw = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return raw.encode(_ENCODING, "replace").decode(_ENCODING)


def render_receipt(app: Application) -> bytes:
    pdf = FPDF()
    pdf.set_title(_text(f"Ricevuta pratica {app.id}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, _text(app.service.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    submitted = app.submitted_at.strftime("%d/%m/%Y %H:%M") if app.submitted_at else "-"
    for label, value in (
        ("Numero richiesta", str(app.id)),
        ("Richiedente", f"{app.applicant_name} ({app.applicant_fiscal_code})"),
        ("Presentata il", submitted),
    ):
        pdf.multi_cell(0, 6, _text(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, "Dati del modulo", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for key, value in sorted(app.data.items()):
        pdf.multi_cell(0, 6, _text(f"{key}: {_text(value)}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
