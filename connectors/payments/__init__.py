"""The payments family: the `PaymentGateway` protocol and its dataclasses (amounts in cents), the
pagoPA helpers the web layer needs (notice numbers, IUPD, receipts, the notice PDF, euro amounts)
and the marca da bollo checks.

Plugins: `pagopa` (GPD + Checkout, `contrib/pagopa/`) and `demo` (its simulator, `contrib/demo/`).
"""

from connectors.payments.base import (
    MAX_CART_NOTICES,
    CartNotice,
    CheckoutSession,
    Debtor,
    DebtPosition,
    DebtPositionState,
    DigitalStamp,
    OptionState,
    PaymentGateway,
    PaymentOption,
    PaymentReceipt,
    PositionStatus,
    ReturnUrls,
    Transfer,
)
from connectors.payments.bollo import (
    DEFAULT_STAMP_AMOUNT_CENTS,
    StampData,
    StampValidationError,
    normalize_stamp_identifier,
    validate_stamp,
)
from connectors.payments.contrib.pagopa import (  # importing contrib registers its plugins
    NoticeDocument,
    check_notice_number,
    format_euro,
    format_notice_number,
    iuv_of,
    make_iupd,
    make_notice_number,
    make_qr,
    notice_number_from_sequence,
    parse_qr_string,
    parse_receipt,
    qr_png,
    qr_string,
    qr_svg,
    receipt_to_json,
    render_notice_pdf,
)
from connectors.payments.registry import register

__all__ = [
    "DEFAULT_STAMP_AMOUNT_CENTS",
    "MAX_CART_NOTICES",
    "CartNotice",
    "CheckoutSession",
    "DebtPosition",
    "DebtPositionState",
    "Debtor",
    "DigitalStamp",
    "NoticeDocument",
    "OptionState",
    "PaymentGateway",
    "PaymentOption",
    "PaymentReceipt",
    "PositionStatus",
    "ReturnUrls",
    "StampData",
    "StampValidationError",
    "Transfer",
    "check_notice_number",
    "format_euro",
    "format_notice_number",
    "iuv_of",
    "make_iupd",
    "make_notice_number",
    "make_qr",
    "normalize_stamp_identifier",
    "notice_number_from_sequence",
    "parse_qr_string",
    "parse_receipt",
    "qr_png",
    "qr_string",
    "qr_svg",
    "receipt_to_json",
    "register",
    "render_notice_pdf",
    "validate_stamp",
]
