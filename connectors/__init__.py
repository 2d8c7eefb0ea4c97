"""Outbound integrations: pagoPA, marca da bollo, protocollo, App IO, e-mail.

A typed plugin registry of three families (payment, protocol, notification), each connector a
real HTTP/SMTP client with an in-repo simulator (`connectors.simulators`). Errors say whether to
retry (`TransientError`) or to raise an incident (`PermanentError`). Every call takes an
idempotency key; webhooks are signed with `sign`/`verify_signature`. Amounts are cents.
No Flask, database or Celery here.
"""

from connectors._builtin import register_builtins
from connectors.app_io import AppIOChannel, AppIOClient, IoProfile, pad_markdown
from connectors.bollo import (
    DEFAULT_STAMP_AMOUNT_CENTS,
    StampData,
    StampValidationError,
    normalize_stamp_identifier,
    validate_stamp,
)
from connectors.email_smtp import SmtpClient, message_id_for
from connectors.errors import (
    ConflictError,
    ConnectorError,
    InvalidSignature,
    PermanentError,
    TransientError,
    ValidationError,
)
from connectors.notification import (
    Attachment,
    MessageChannel,
    Notification,
    Notifier,
    PaymentData,
    SendResult,
)
from connectors.pagopa import (
    NoticeDocument,
    PagoPAClient,
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
    render_notice_pdf,
)
from connectors.payment import (
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
from connectors.protocol import (
    Correspondent,
    Direction,
    DocumentFile,
    Folder,
    ProtocolDocument,
    ProtocolReceipt,
    ProtocolRegister,
)
from connectors.protocol_rest import RestProtocolClient, fingerprint
from connectors.registry import Family, UnknownConnector, get, names, register, unregister
from connectors.webhooks import SIGNATURE_HEADER, is_valid, sign
from connectors.webhooks import verify as verify_signature

register_builtins()

__all__ = [
    "DEFAULT_STAMP_AMOUNT_CENTS",
    "MAX_CART_NOTICES",
    "SIGNATURE_HEADER",
    "AppIOChannel",
    "AppIOClient",
    "Attachment",
    "CartNotice",
    "CheckoutSession",
    "ConflictError",
    "ConnectorError",
    "Correspondent",
    "DebtPosition",
    "DebtPositionState",
    "Debtor",
    "DigitalStamp",
    "Direction",
    "DocumentFile",
    "Family",
    "Folder",
    "InvalidSignature",
    "IoProfile",
    "MessageChannel",
    "NoticeDocument",
    "Notification",
    "Notifier",
    "OptionState",
    "PagoPAClient",
    "PaymentData",
    "PaymentGateway",
    "PaymentOption",
    "PaymentReceipt",
    "PermanentError",
    "PositionStatus",
    "ProtocolDocument",
    "ProtocolReceipt",
    "ProtocolRegister",
    "RestProtocolClient",
    "ReturnUrls",
    "SendResult",
    "SmtpClient",
    "StampData",
    "StampValidationError",
    "Transfer",
    "TransientError",
    "UnknownConnector",
    "ValidationError",
    "check_notice_number",
    "fingerprint",
    "format_euro",
    "format_notice_number",
    "get",
    "is_valid",
    "iuv_of",
    "make_iupd",
    "make_notice_number",
    "make_qr",
    "message_id_for",
    "names",
    "normalize_stamp_identifier",
    "notice_number_from_sequence",
    "pad_markdown",
    "parse_qr_string",
    "parse_receipt",
    "qr_png",
    "qr_string",
    "qr_svg",
    "register",
    "render_notice_pdf",
    "sign",
    "unregister",
    "validate_stamp",
    "verify_signature",
]
