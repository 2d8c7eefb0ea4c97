"""The receipt of a submitted application (modulo compilato) as a PDF."""

from __future__ import annotations

import forms
from webapp.extensions import db
from webapp.models import Application, Attachment, Tenant
from webapp.services import catalogue
from webapp.services.common import formatting
from webapp.services.common.letterhead import letterhead_pdf
from webapp.services.common.letterhead import pdf_text as _text


def _file_names(app: Application) -> dict[str, str]:
    query = db.select(Attachment).where(Attachment.tenant_id == app.tenant_id, Attachment.application_id == app.id)
    return {str(a.id): a.original_filename for a in db.session.scalars(query)}


def render_receipt(app: Application) -> bytes:
    """What the citizen declared, as they saw it: the form's steps and labels, Italian formats."""
    tenant = db.session.get(Tenant, app.tenant_id)
    assert tenant is not None
    pdf = letterhead_pdf(tenant, f"Ricevuta della domanda - {app.service.name}")
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
