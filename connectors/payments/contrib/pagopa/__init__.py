"""pagoPA: notice numbers, QR code, avviso PDF, GPD + Checkout client, receipts."""

from connectors.payments.contrib.pagopa.avviso import NoticeDocument, format_euro, render_notice_pdf
from connectors.payments.contrib.pagopa.client import PagoPAClient, cart_errors
from connectors.payments.contrib.pagopa.gpd import make_iupd, position_errors
from connectors.payments.contrib.pagopa.notice import (
    QrPayload,
    check_notice_number,
    format_notice_number,
    iuv_of,
    make_notice_number,
    notice_number_from_sequence,
    notice_number_of,
    parse_qr_string,
    qr_string,
)
from connectors.payments.contrib.pagopa.qr import make_qr, qr_png, qr_svg
from connectors.payments.contrib.pagopa.receipt import parse_receipt, receipt_to_json
from connectors.payments.contrib.pagopa.rt import (
    RT_KEY_HEADER,
    SentReceipt,
    Station,
    pa_send_rt_request,
    pa_send_rt_response,
    parse_pa_send_rt,
    parse_pa_send_rt_response,
)

__all__ = [
    "RT_KEY_HEADER",
    "NoticeDocument",
    "PagoPAClient",
    "QrPayload",
    "SentReceipt",
    "Station",
    "cart_errors",
    "check_notice_number",
    "format_euro",
    "format_notice_number",
    "iuv_of",
    "make_iupd",
    "make_notice_number",
    "make_qr",
    "notice_number_from_sequence",
    "notice_number_of",
    "pa_send_rt_request",
    "pa_send_rt_response",
    "parse_pa_send_rt",
    "parse_pa_send_rt_response",
    "parse_qr_string",
    "parse_receipt",
    "position_errors",
    "qr_png",
    "qr_string",
    "qr_svg",
    "receipt_to_json",
    "render_notice_pdf",
]
