"""The *avviso di pagamento* PDF (layout after pagoPA "avvisi 3.x", simplified), with its QR code.

The QR is embedded as a 1-pixel-per-module greyscale image scaled to 25 x 25 mm without
interpolation, so it prints as sharp monochrome squares.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from PIL import Image

from connectors.payments.contrib.pagopa.notice import format_notice_number
from connectors.payments.contrib.pagopa.qr import QUIET_ZONE, make_qr

QR_SIZE_MM = 25.0
_ENC = "latin-1"


@dataclass(frozen=True)
class NoticeDocument:
    notice_number: str
    ec_fiscal_code: str
    ec_name: str
    amount_cents: int
    due_date: date
    description: str
    debtor_name: str
    debtor_fiscal_code: str
    office_name: str | None = None
    cbill_code: str | None = None


def format_euro(cents: int) -> str:
    """Italian format: 1.234,56."""
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", ".") + f",{rest:02d}"


def _t(text: str) -> str:
    return text.encode(_ENC, "replace").decode(_ENC)


def _qr_image(doc: NoticeDocument) -> Image.Image:
    png = io.BytesIO()
    make_qr(doc.notice_number, doc.ec_fiscal_code, doc.amount_cents).save(png, kind="png", scale=1,
                                                                           border=QUIET_ZONE)
    png.seek(0)
    with Image.open(png) as img:
        return img.convert("L")


def _label(pdf: FPDF, label: str, value: str, *, size: int = 10) -> None:
    pdf.set_font("Helvetica", "B", 7)
    pdf.cell(0, 4, _t(label.upper()), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", size)
    pdf.multi_cell(0, 5, _t(value), new_x="LMARGIN", new_y="NEXT")


def _header(pdf: FPDF, doc: NoticeDocument) -> None:
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, "AVVISO DI PAGAMENTO", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, _t(doc.description), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    ec = doc.ec_name + (f" - {doc.office_name}" if doc.office_name else "")
    _label(pdf, "Ente creditore", f"{ec}\nCodice fiscale {doc.ec_fiscal_code}")
    _label(pdf, "Destinatario avviso", f"{doc.debtor_name}\nCodice fiscale {doc.debtor_fiscal_code}")
    pdf.ln(2)


def _how_much(pdf: FPDF, doc: NoticeDocument) -> None:
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "QUANTO E QUANDO PAGARE?", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _t(f"{format_euro(doc.amount_cents)} Euro entro il {doc.due_date:%d/%m/%Y}"),
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 4.5, _t(
        "L'importo è aggiornato automaticamente dal sistema e potrebbe subire variazioni per eventuali "
        "sgravi, note di credito, indennità di mora, sanzioni o interessi. Pagando entro la scadenza "
        "eviti ulteriori oneri."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _where(pdf: FPDF) -> None:
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "DOVE PAGARE?", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 4.5, _t(
        "PAGA SUL SITO O CON LE APP del tuo Ente Creditore, della tua Banca o degli altri canali di "
        "pagamento. Potrai pagare con carte, conto corrente, CBILL.\n"
        "PAGA SUL TERRITORIO in tutti gli Uffici Postali, in Banca, in Ricevitoria, dal Tabaccaio, al "
        "Bancomat, al Supermercato. Potrai pagare in contanti, con carte o conto corrente.\n"
        "Utilizza la porzione di avviso relativa al canale di pagamento che preferisci."),
        new_x="LMARGIN", new_y="NEXT")


def _payment_slip(pdf: FPDF, doc: NoticeDocument) -> None:
    top = 185.0
    pdf.set_draw_color(0)
    pdf.rect(10, top - 5, 190, 95)
    pdf.set_xy(15, top)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, "BANCHE E ALTRI CANALI")
    pdf.image(_qr_image(doc), x=15, y=top + 10, w=QR_SIZE_MM, h=QR_SIZE_MM)
    pdf.set_left_margin(50)
    pdf.set_xy(50, top + 8)
    rows = [("Destinatario", doc.debtor_name), ("Euro", format_euro(doc.amount_cents)),
            ("Ente creditore", doc.ec_name), ("Oggetto del pagamento", doc.description),
            ("Codice avviso", format_notice_number(doc.notice_number)),
            ("Cod. fiscale ente creditore", doc.ec_fiscal_code)]
    if doc.cbill_code:
        rows.insert(4, ("Codice CBILL", doc.cbill_code))
    for label, value in rows:
        _label(pdf, label, value, size=9)
    pdf.set_left_margin(10)


def render_notice_pdf(doc: NoticeDocument) -> bytes:
    """The notice as PDF bytes: Italian text, the spaced *codice avviso*, the QR code."""
    pdf = FPDF(format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(False)
    pdf.set_title(_t(f"Avviso di pagamento {doc.notice_number}"))
    pdf.set_subject(_t(doc.description))
    pdf.add_page()
    _header(pdf, doc)
    _how_much(pdf, doc)
    _where(pdf)
    _payment_slip(pdf, doc)
    return bytes(pdf.output())
