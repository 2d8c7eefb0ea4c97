"""The payment family: requests, results and the `PaymentGateway` protocol. Amounts are cents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

MAX_CART_NOTICES = 5
MAX_TRANSFERS = 5


class PositionStatus(StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    VALID = "VALID"
    INVALID = "INVALID"
    EXPIRED = "EXPIRED"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    REPORTED = "REPORTED"


PAYABLE = frozenset({PositionStatus.VALID})


@dataclass(frozen=True)
class DigitalStamp:
    """@e.bollo on a transfer instead of an IBAN."""

    hash_document: str
    stamp_type: str
    provincial_residence: str


@dataclass(frozen=True)
class Transfer:
    id_transfer: str
    amount_cents: int
    remittance_information: str
    category: str
    iban: str | None = None
    stamp: DigitalStamp | None = None
    postal_iban: str | None = None
    organization_fiscal_code: str | None = None
    company_name: str | None = None


@dataclass(frozen=True)
class PaymentOption:
    iuv: str
    amount_cents: int
    description: str
    due_date: datetime
    transfers: tuple[Transfer, ...]
    is_partial_payment: bool = False
    retention_date: datetime | None = None
    metadata: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Debtor:
    """The payer. `kind` is "F" (person) or "G" (legal entity)."""

    fiscal_code: str
    full_name: str
    kind: str = "F"
    email: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class DebtPosition:
    iupd: str
    debtor: Debtor
    company_name: str
    options: tuple[PaymentOption, ...]
    office_name: str | None = None
    switch_to_expired: bool = True
    validity_date: datetime | None = None


@dataclass(frozen=True)
class OptionState:
    iuv: str
    notice_number: str
    amount_cents: int
    status: str
    due_date: datetime
    payment_date: datetime | None = None


@dataclass(frozen=True)
class DebtPositionState:
    iupd: str
    status: PositionStatus
    options: tuple[OptionState, ...]
    payment_date: datetime | None = None

    @property
    def notice_numbers(self) -> tuple[str, ...]:
        return tuple(o.notice_number for o in self.options)


@dataclass(frozen=True)
class CartNotice:
    notice_number: str
    ec_fiscal_code: str
    amount_cents: int
    company_name: str
    description: str


@dataclass(frozen=True)
class ReturnUrls:
    ok: str
    cancel: str
    error: str


@dataclass(frozen=True)
class CheckoutSession:
    """Where to send the citizen's browser. Its return is never proof of payment."""

    url: str


@dataclass(frozen=True)
class PaymentReceipt:
    """One receipt per paid notice (pagoPA sends one to each EC involved)."""

    receipt_id: str
    notice_number: str
    iuv: str
    ec_fiscal_code: str
    amount_cents: int
    outcome: str
    paid_at: datetime
    fee_cents: int = 0
    transaction_id: str | None = None
    cart_id: str | None = None
    psp_name: str | None = None
    iupd: str | None = None


@runtime_checkable
class PaymentGateway(Protocol):
    """What the platform needs from pagoPA (GPD + Checkout) or an intermediary's adapter."""

    ec_fiscal_code: str

    def create_debt_position(self, position: DebtPosition, *, idempotency_key: str,
                             publish: bool = True) -> DebtPositionState: ...

    def get_debt_position(self, iupd: str, *, idempotency_key: str | None = None) -> DebtPositionState: ...

    def invalidate_debt_position(self, iupd: str, *, idempotency_key: str) -> DebtPositionState: ...

    def mark_paid(self, notice_number: str, paid_at: datetime, *, idempotency_key: str) -> None: ...

    def create_checkout(self, notices: Sequence[CartNotice], return_urls: ReturnUrls, *,
                        idempotency_key: str, email: str | None = None) -> CheckoutSession: ...
