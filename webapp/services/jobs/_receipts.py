"""The receipt of a submitted application (modulo compilato) as a PDF."""

from __future__ import annotations

from fpdf import FPDF

import forms
from webapp.extensions import db
from webapp.models import Application, Attachment
from webapp.services import catalogue
from webapp.services.common import formatting

# The core PDF fonts speak Latin-1 only; anything else is replaced rather than failing.
_ENCODING = "latin-1"


def _text(value: str) -> str:
    return value.encode(_ENCODING, "replace").decode(_ENCODING)


def _file_names(app: Application) -> dict[str, str]:
    query = db.select(Attachment).where(Attachment.tenant_id == app.tenant_id, Attachment.application_id == app.id)
    return {str(a.id): a.original_filename for a in db.session.scalars(query)}


def render_receipt(app: Application) -> bytes:
    """What the citizen declared, as they saw it: the form's steps and labels, Italian formats."""
    pdf = FPDF()
    pdf.set_title(_text(f"Ricevuta pratica {app.id}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, _text(app.service.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for label, value in (
        ("Numero richiesta", str(app.id)),
        ("Richiedente", f"{app.applicant_name} ({app.applicant_fiscal_code})"),
        ("Presentata il", formatting.datetime_text(app.submitted_at) or "-"),
    ):
        pdf.multi_cell(0, 6, _text(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    names = _file_names(app)
    for section in forms.summarise(catalogue.form_for(app.service_version), app.data or {}):
        if not section.rows:
            continue
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 7, _text(section.step.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        for row in section.rows:
            value = row.text or ", ".join(names.get(ref, "allegato") for ref in row.attachment_ids)
            pdf.multi_cell(0, 6, _text(f"{row.label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
