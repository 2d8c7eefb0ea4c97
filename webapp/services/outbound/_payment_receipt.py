"""The ricevuta di pagamento the citizen downloads once a pagoPA notice is paid: what pagoPA's receipt (or the
reconciliation's read of the position, or the office's registration) says, with the ente's name."""

from __future__ import annotations

from fpdf import FPDF

import connectors
from webapp.models import Payment, Tenant
from webapp.models.payments import COMPLETE, PAGOPA
from webapp.services.common import formatting
from webapp.services.common.errors import NotFound

from . import _connectors

_ENCODING = "latin-1"  # the core PDF fonts speak Latin-1 only; anything else is replaced rather than failing
SOURCES = {"webhook": "ricevuta telematica pagoPA", "paSendRT": "ricevuta telematica pagoPA (paSendRT)",
           "reconciliation": "posizione debitoria risultata pagata su pagoPA"}


def _t(text: str) -> str:
    return text.encode(_ENCODING, "replace").decode(_ENCODING)


def _rows(tenant: Tenant, payment: Payment) -> list[tuple[str, str]]:
    receipt = payment.receipt or {}
    app = payment.application
    rows = [("Ente creditore", f"{tenant.name} (codice fiscale {_connectors.ec_fiscal_code(tenant)})"),
            ("Pagatore", f"{app.applicant_name} ({app.applicant_fiscal_code})"),
            ("Causale", payment.reason),
            ("Codice avviso", connectors.payments.format_notice_number(str(payment.notice_number))),
            ("IUV", str(payment.iuv or "")),
            ("Importo", f"{connectors.payments.format_euro(payment.amount)} euro"),
            ("Data del pagamento", formatting.datetime_text(payment.paid_at) or "-")]
    if receipt.get("fee"):
        rows.append(("Commissione", f"{connectors.payments.format_euro(int(receipt['fee']))} euro"))
    if receipt.get("psp"):
        rows.append(("Prestatore di servizi di pagamento", str(receipt["psp"])))
    if receipt.get("receipt_id"):
        rows.append(("Identificativo ricevuta", str(receipt["receipt_id"])))
    if payment.registered_manually_by is not None:
        rows.append(("Esito", "pagamento registrato dall'ufficio"))
    else:
        rows.append(("Esito", f"pagato ({SOURCES.get(str(receipt.get('source')), SOURCES['webhook'])})"))
    rows.append(("Pratica", str(app.id)))
    return rows


def receipt_pdf(tenant: Tenant, payment: Payment) -> bytes:
    """The payment receipt as PDF; a payment not (yet) paid has none (404)."""
    if payment.kind != PAGOPA or payment.status != COMPLETE or payment.notice_number is None:
        raise NotFound("Questo pagamento non ha una ricevuta.")
    pdf = FPDF(format="A4")
    pdf.set_title(_t(f"Ricevuta di pagamento {payment.notice_number}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "RICEVUTA DI PAGAMENTO", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, _t(payment.application.service.name), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, value in _rows(tenant, payment):
        pdf.set_font("Helvetica", "B", 8)
        pdf.cell(0, 5, _t(label.upper()), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, _t(value), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
