"""App IO: check the citizen's profile (`sender_allowed`), then send the message.

    POST /profiles  {"fiscal_code"}                 200 {"sender_allowed": ...} | 404 no IO account
    POST /messages  {"fiscal_code", "feature_level_type", "content": {...}}  201 {"id"}
    GET  /messages/{fiscal_code}/{id}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from connectors._http import HttpClient
from connectors._plugins import require
from connectors._time import iso
from connectors.errors import PermanentError, ValidationError
from connectors.notifications.base import Notification, PaymentData, SendResult
from connectors.notifications.registry import register
from connectors.payments.contrib.pagopa.notice import check_notice_number

PRODUCTION_URL = "https://api.io.pagopa.it/api/v1"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
SUBJECT_LEN = (10, 120)
MARKDOWN_LEN = (80, 10_000)
MAX_IO_AMOUNT = 9_999_999_999
_FISCAL_CODE = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")
DEFAULT_FOOTER = "Questo messaggio ti è stato inviato dal tuo Comune tramite i servizi online."


@dataclass(frozen=True)
class IoProfile:
    exists: bool
    sender_allowed: bool
    preferred_languages: tuple[str, ...] = ()


def _payment_json(p: PaymentData) -> dict[str, Any]:
    if not 1 <= p.amount_cents <= MAX_IO_AMOUNT:
        raise ValidationError("payment_data.amount is 1..9999999999 cents")
    if not check_notice_number(p.notice_number):
        raise ValidationError("payment_data.notice_number is not a valid notice number")
    data: dict[str, Any] = {"amount": p.amount_cents, "notice_number": p.notice_number,
                            "invalid_after_due_date": p.invalid_after_due_date}
    if p.payee_fiscal_code:
        data["payee"] = {"fiscal_code": p.payee_fiscal_code}
    return data


def pad_markdown(text: str, footer: str = DEFAULT_FOOTER) -> str:
    """App IO wants 80..10,000 characters: pad short texts with a footer, cut long ones."""
    body = text.strip()
    while len(body) < MARKDOWN_LEN[0]:
        body = f"{body}\n\n---\n\n{footer}" if body else footer
    return body[:MARKDOWN_LEN[1]]


def _check_fiscal_code(fiscal_code: str) -> str:
    code = fiscal_code.strip().upper()
    if not _FISCAL_CODE.match(code):
        raise ValidationError("not a fiscal code")
    return code


class AppIOClient:
    """One IO service (its key belongs to exactly one service)."""

    def __init__(self, *, api_key: str, base_url: str = PRODUCTION_URL, timeout: float = 10.0) -> None:
        self._http = HttpClient(base_url, headers={KEY_HEADER: api_key}, timeout=timeout)

    @classmethod
    def for_simulator(cls, url: str, *, api_key: str = "demo") -> Self:
        return cls(api_key=api_key, base_url=f"{url.rstrip('/')}/api/v1")

    def get_profile(self, fiscal_code: str, *, idempotency_key: str | None = None) -> IoProfile:
        body = {"fiscal_code": _check_fiscal_code(fiscal_code)}
        resp = self._http.request("POST", "/profiles", json_body=body, idempotency_key=idempotency_key,
                                  ok=(200, 404))
        if resp.status == 404:
            return IoProfile(exists=False, sender_allowed=False)
        data = resp.json() or {}
        return IoProfile(exists=True, sender_allowed=data.get("sender_allowed") is True,
                         preferred_languages=tuple(data.get("preferred_languages") or ()))

    def submit_message(self, fiscal_code: str, subject: str, markdown: str, *, idempotency_key: str,
                       due_date: datetime | None = None, payment: PaymentData | None = None) -> str:
        """Send a STANDARD message; return its id."""
        if not SUBJECT_LEN[0] <= len(subject) <= SUBJECT_LEN[1]:
            raise ValidationError("the subject is 10..120 characters")
        if not MARKDOWN_LEN[0] <= len(markdown) <= MARKDOWN_LEN[1]:
            raise ValidationError("the markdown is 80..10000 characters")
        content: dict[str, Any] = {"subject": subject, "markdown": markdown}
        if due_date is not None:
            content["due_date"] = iso(due_date)
        if payment is not None:
            content["payment_data"] = _payment_json(payment)
        body = {"fiscal_code": _check_fiscal_code(fiscal_code), "feature_level_type": "STANDARD",
                "content": content}
        data = self._http.request("POST", "/messages", json_body=body, idempotency_key=idempotency_key,
                                  ok=(200, 201)).json() or {}
        if not data.get("id"):
            raise PermanentError("App IO answered without a message id")
        return str(data["id"])

    def get_message(self, fiscal_code: str, message_id: str) -> dict[str, Any]:
        path = f"/messages/{_check_fiscal_code(fiscal_code)}/{message_id}"
        data = self._http.request("GET", path).json()
        return data if isinstance(data, dict) else {}


@register("app_io")
class AppIOChannel:
    """`MessageChannel` for App IO: profile check first, then the message."""

    channel = "app_io"

    def __init__(self, client: AppIOClient, *, footer: str = DEFAULT_FOOTER) -> None:
        self.client = client
        self.footer = footer

    @classmethod
    def from_config(cls, config: Mapping[str, Any], /, **context: Any) -> Self:
        """APP_IO_KEY (the service's key) and APP_IO_URL."""
        api_key, base_url = require(config, "APP_IO_KEY", "APP_IO_URL", plugin="app_io")
        return cls(AppIOClient(api_key=api_key, base_url=base_url))

    def send(self, notification: Notification, *, idempotency_key: str) -> SendResult:
        if not notification.fiscal_code:
            return SendResult(self.channel, "skipped", reason="no_fiscal_code")
        profile = self.client.get_profile(notification.fiscal_code, idempotency_key=f"{idempotency_key}:profile")
        if not profile.exists:
            return SendResult(self.channel, "skipped", reason="no_profile")
        if not profile.sender_allowed:
            return SendResult(self.channel, "skipped", reason="sender_not_allowed")
        subject = notification.subject[:SUBJECT_LEN[1]].ljust(SUBJECT_LEN[0], ".")
        markdown = pad_markdown(notification.markdown or notification.text, self.footer)
        message_id = self.client.submit_message(
            notification.fiscal_code, subject, markdown, idempotency_key=idempotency_key,
            due_date=notification.due_date, payment=notification.payment)
        return SendResult(self.channel, "sent", message_id=message_id)
