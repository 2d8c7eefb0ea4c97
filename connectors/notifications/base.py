"""The notification family: App IO messages and e-mail behind one `MessageChannel` protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Attachment:
    filename: str
    mime_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class PaymentData:
    """App IO `payment_data`: the app shows a "Paga" button for this notice."""

    amount_cents: int
    notice_number: str
    invalid_after_due_date: bool = False
    payee_fiscal_code: str | None = None


@dataclass(frozen=True)
class Notification:
    """One message to one citizen. Channels use what they need: IO the fiscal code and Markdown,
    e-mail the address, the text and the optional HTML part."""

    subject: str
    text: str
    fiscal_code: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)
    html: str | None = None
    markdown: str | None = None
    due_date: datetime | None = None
    payment: PaymentData | None = None
    attachments: tuple[Attachment, ...] = ()
    language: str = "it"


@dataclass(frozen=True)
class SendResult:
    """`sent` with the channel's message id, or `skipped` with a reason (no IO profile, not allowed)."""

    channel: str
    status: str
    message_id: str | None = None
    reason: str | None = None

    @property
    def sent(self) -> bool:
        return self.status == "sent"


@runtime_checkable
class MessageChannel(Protocol):
    channel: str

    def send(self, notification: Notification, *, idempotency_key: str) -> SendResult: ...


Notifier = MessageChannel
