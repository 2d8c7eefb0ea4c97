"""E-mail over SMTP with a stable Message-ID derived from the idempotency key.

A retried send carries the same Message-ID, so a receiving system (or a PEC provider) can
tell a duplicate; the outbox stays the first line of defence against double sends.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any, Self

from connectors._plugins import require
from connectors.errors import PermanentError, TransientError, ValidationError
from connectors.notifications.base import Notification, SendResult
from connectors.notifications.registry import register


def message_id_for(idempotency_key: str, domain: str) -> str:
    """`<hash@domain>`, the same for the same key."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


@register("email")
class SmtpClient:
    """`MessageChannel` for e-mail. `security` is "none", "starttls" or "ssl"."""

    channel = "email"

    def __init__(self, *, host: str, port: int = 25, sender: str, sender_name: str | None = None,
                 username: str | None = None, password: str | None = None, security: str = "none",
                 timeout: float = 15.0, message_id_domain: str | None = None) -> None:
        if security not in ("none", "starttls", "ssl"):
            raise ValueError("security is none, starttls or ssl")
        self.host, self.port, self.security, self.timeout = host, port, security, timeout
        self.sender = sender
        self.sender_name = sender_name
        self._username, self._password = username, password
        self.domain = message_id_domain or sender.rpartition("@")[2] or "localhost"

    @classmethod
    def from_config(cls, config: Mapping[str, Any], /, **context: Any) -> Self:
        """MAIL_SERVER, MAIL_PORT (25 when unset), MAIL_SENDER; optionally MAIL_SENDER_NAME, MAIL_USERNAME and
        MAIL_PASSWORD (login) and MAIL_SECURITY (none, starttls or ssl)."""
        host, sender = require(config, "MAIL_SERVER", "MAIL_SENDER", plugin="email")
        return cls(host=host, port=int(config.get("MAIL_PORT") or 25), sender=sender,
                   sender_name=config.get("MAIL_SENDER_NAME") or None, username=config.get("MAIL_USERNAME") or None,
                   password=config.get("MAIL_PASSWORD") or None, security=str(config.get("MAIL_SECURITY") or "none"))

    def build_message(self, notification: Notification, *, idempotency_key: str) -> EmailMessage:
        if not notification.email:
            raise ValidationError("no recipient address")
        msg = EmailMessage()
        msg["Subject"] = notification.subject
        msg["From"] = formataddr((self.sender_name, self.sender)) if self.sender_name else self.sender
        msg["To"] = notification.email
        msg["Date"] = format_datetime(datetime.now(UTC))
        msg["Message-ID"] = message_id_for(idempotency_key, self.domain)
        msg["Content-Language"] = notification.language
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(notification.text)
        if notification.html:
            msg.add_alternative(notification.html, subtype="html")
        for a in notification.attachments:
            maintype, _, subtype = a.mime_type.partition("/")
            msg.add_attachment(a.content, maintype=maintype, subtype=subtype or "octet-stream", filename=a.filename)
        return msg

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, notification: Notification, *, idempotency_key: str) -> SendResult:
        msg = self.build_message(notification, idempotency_key=idempotency_key)
        try:
            with self._connect() as smtp:
                if self._username:
                    smtp.login(self._username, self._password or "")
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise _by_code(min(codes), "recipient refused") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentError("the SMTP server lacks a needed extension") from exc
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, "SMTP answer") from exc
        except (TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
            raise TransientError(f"SMTP connection failed: {type(exc).__name__}") from exc
        return SendResult(self.channel, "sent", message_id=str(msg["Message-ID"]))


def _by_code(code: int, what: str) -> TransientError | PermanentError:
    if 400 <= code < 500:
        return TransientError(f"{what} {code}", code=str(code))
    return PermanentError(f"{what} {code}", code=str(code))
