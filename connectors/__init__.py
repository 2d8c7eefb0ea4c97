"""Outbound integrations: pagoPA and marca da bollo, protocollo, App IO and e-mail.

Three plugin families, each a package with its own face, `base` (protocol and dataclasses),
`registry` and `contrib/<vendor>/` plugins, a `demo` one among them on the in-repo simulators
(`connectors.simulators`):

    connectors.payments        PaymentGateway: pagopa, demo; notice numbers, PDF, bollo helpers
    connectors.protocol        ProtocolRegister: rest, demo
    connectors.notifications   MessageChannel: app_io, email, demo_app_io, demo_email

`build(family, name, config, **context)` makes a connector from the deployment's configuration.
Errors say whether to retry (`TransientError`) or to raise an incident (`PermanentError`); a
connector that cannot be built raises a `ConfigurationError`. Every call takes an idempotency
key; webhooks are signed with `sign`/`verify_signature`. Amounts are cents.
No Flask, database or Celery here.
"""

from connectors import notifications, payments, protocol
from connectors.errors import (
    ConfigurationError,
    ConflictError,
    ConnectorError,
    DemoNotAllowed,
    InvalidSignature,
    PermanentError,
    TransientError,
    UnknownConnector,
    ValidationError,
)
from connectors.notifications import Attachment, MessageChannel, Notification, Notifier, PaymentData, SendResult
from connectors.payments import (
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
from connectors.registry import FAMILIES, Family, build, names, register, unregister
from connectors.webhooks import SIGNATURE_HEADER, is_valid, sign
from connectors.webhooks import verify as verify_signature

__all__ = [
    "FAMILIES",
    "SIGNATURE_HEADER",
    "Attachment",
    "CartNotice",
    "CheckoutSession",
    "ConfigurationError",
    "ConflictError",
    "ConnectorError",
    "Correspondent",
    "DebtPosition",
    "DebtPositionState",
    "Debtor",
    "DemoNotAllowed",
    "DigitalStamp",
    "Direction",
    "DocumentFile",
    "Family",
    "Folder",
    "InvalidSignature",
    "MessageChannel",
    "Notification",
    "Notifier",
    "OptionState",
    "PaymentData",
    "PaymentGateway",
    "PaymentOption",
    "PaymentReceipt",
    "PermanentError",
    "PositionStatus",
    "ProtocolDocument",
    "ProtocolReceipt",
    "ProtocolRegister",
    "ReturnUrls",
    "SendResult",
    "Transfer",
    "TransientError",
    "UnknownConnector",
    "ValidationError",
    "build",
    "is_valid",
    "names",
    "notifications",
    "payments",
    "protocol",
    "register",
    "sign",
    "unregister",
    "verify_signature",
]
