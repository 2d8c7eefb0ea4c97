"""Mapping between the payment dataclasses and GPD JSON (`PaymentPositionModel`), plus the
checks pagoPA runs on create, so we refuse a bad position before the call."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors._time import iso, parse_dt
from connectors.payments.base import (
    MAX_TRANSFERS,
    DebtPosition,
    DebtPositionState,
    OptionState,
    PaymentOption,
    PositionStatus,
    Transfer,
)
from connectors.payments.contrib.pagopa.notice import check_notice_number

MAX_TEXT = 140
_IUPD_NAMESPACE = uuid.UUID("6f1c1d0e-5a4b-4c1e-9a43-0c0b5e0d7a11")


def make_iupd(ec_fiscal_code: str, business_key: str) -> str:
    """A stable IUPD (EC fiscal code + UUID) derived from a business key, so a retry reuses it."""
    return f"{ec_fiscal_code}-{uuid.uuid5(_IUPD_NAMESPACE, business_key)}"


def _transfer_json(t: Transfer) -> dict[str, Any]:
    data: dict[str, Any] = {"idTransfer": t.id_transfer, "amount": t.amount_cents,
                            "remittanceInformation": t.remittance_information, "category": t.category}
    optional = {"iban": t.iban, "postalIban": t.postal_iban,
                "organizationFiscalCode": t.organization_fiscal_code, "companyName": t.company_name}
    data.update({k: v for k, v in optional.items() if v is not None})
    if t.stamp is not None:
        data["stamp"] = {"hashDocument": t.stamp.hash_document, "stampType": t.stamp.stamp_type,
                         "provincialResidence": t.stamp.provincial_residence}
    return data


def _option_json(o: PaymentOption) -> dict[str, Any]:
    data: dict[str, Any] = {
        "iuv": o.iuv, "nav": "3" + o.iuv if len(o.iuv) == 17 else None, "amount": o.amount_cents,
        "description": o.description, "isPartialPayment": o.is_partial_payment, "dueDate": iso(o.due_date),
        "transfer": [_transfer_json(t) for t in o.transfers],
        "paymentOptionMetadata": [{"key": k, "value": v} for k, v in o.metadata],
    }
    if o.retention_date is not None:
        data["retentionDate"] = iso(o.retention_date)
    return {k: v for k, v in data.items() if v is not None}


def position_to_json(p: DebtPosition) -> dict[str, Any]:
    data: dict[str, Any] = {
        "iupd": p.iupd, "type": p.debtor.kind, "fiscalCode": p.debtor.fiscal_code,
        "fullName": p.debtor.full_name, "companyName": p.company_name, "switchToExpired": p.switch_to_expired,
        "paymentOption": [_option_json(o) for o in p.options],
    }
    if p.office_name:
        data["officeName"] = p.office_name
    if p.debtor.email:
        data["email"] = p.debtor.email
    if p.validity_date is not None:
        data["validityDate"] = iso(p.validity_date)
    return data


def state_from_json(data: Mapping[str, Any]) -> DebtPositionState:
    options = []
    for o in data.get("paymentOption") or []:
        iuv = str(o["iuv"])
        options.append(OptionState(
            iuv=iuv, notice_number=str(o.get("nav") or "3" + iuv), amount_cents=int(o["amount"]),
            status=str(o.get("status", "")), due_date=parse_dt(o["dueDate"]) or datetime.now(UTC),
            payment_date=parse_dt(o.get("paymentDate"))))
    return DebtPositionState(iupd=str(data["iupd"]), status=PositionStatus(data["status"]),
                             options=tuple(options), payment_date=parse_dt(data.get("paymentDate")))


def _text_errors(where: str, name: str, value: Any, required: bool = True) -> list[str]:
    if value is None or value == "":
        return [f"{where}.{name} is required"] if required else []
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        return [f"{where}.{name} must be a text of at most {MAX_TEXT} characters"]
    return []


def _transfer_errors(where: str, t: Mapping[str, Any]) -> list[str]:
    errors = _text_errors(where, "remittanceInformation", t.get("remittanceInformation"))
    errors += _text_errors(where, "category", t.get("category"))
    if t.get("idTransfer") not in {str(i) for i in range(1, MAX_TRANSFERS + 1)}:
        errors.append(f"{where}.idTransfer must be '1'..'5'")
    if not isinstance(t.get("amount"), int) or t["amount"] < 1:
        errors.append(f"{where}.amount must be a positive number of cents")
    if bool(t.get("iban")) == bool(t.get("stamp")):
        errors.append(f"{where} needs either iban or stamp")
    if t.get("stamp") and t.get("postalIban"):
        errors.append(f"{where}.postalIban cannot go with a stamp")
    return errors


def _option_errors(where: str, o: Mapping[str, Any], validity: datetime | None) -> list[str]:
    errors = _text_errors(where, "description", o.get("description"))
    iuv = str(o.get("iuv", ""))
    if not (len(iuv) == 17 and check_notice_number("3" + iuv)):
        errors.append(f"{where}.iuv must be 17 digits with correct check digits")
    transfers = o.get("transfer") or []
    if not 1 <= len(transfers) <= MAX_TRANSFERS:
        errors.append(f"{where} needs 1..{MAX_TRANSFERS} transfers")
    if len({t.get("idTransfer") for t in transfers}) != len(transfers):
        errors.append(f"{where} has duplicate idTransfer")
    for i, t in enumerate(transfers):
        errors += _transfer_errors(f"{where}.transfer[{i}]", t)
    if not isinstance(o.get("amount"), int) or sum(int(t.get("amount", 0)) for t in transfers) != o["amount"]:
        errors.append(f"{where}: the transfers must add up to the amount")
    due = parse_dt(o.get("dueDate"))
    if due is None:
        errors.append(f"{where}.dueDate is required")
    elif validity is not None and due < validity:
        errors.append(f"{where}.dueDate must not be before validityDate")
    return errors


def position_errors(data: Mapping[str, Any]) -> list[str]:
    """The checks of GPD create/update on a JSON position; an empty list means acceptable."""
    errors: list[str] = []
    for name in ("iupd", "fiscalCode", "fullName", "companyName"):
        errors += _text_errors("position", name, data.get(name))
    if data.get("type") not in ("F", "G"):
        errors.append("position.type must be F or G")
    if not isinstance(data.get("switchToExpired"), bool):
        errors.append("position.switchToExpired is required")
    options = data.get("paymentOption") or []
    if not options:
        errors.append("position needs at least one paymentOption")
    iuvs = [o.get("iuv") for o in options]
    if len(set(iuvs)) != len(iuvs):
        errors.append("position has duplicate IUVs")
    validity = parse_dt(data.get("validityDate"))
    for i, o in enumerate(options):
        errors += _option_errors(f"paymentOption[{i}]", o, validity)
    return errors
