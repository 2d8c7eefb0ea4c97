"""Payment receipts as posted to our webhook (JSON, signed with `connectors.webhooks`).

pagoPA's own `paSendRT` is SOAP and goes to the EC or its intermediary; whatever adapter takes
it in turns it into this shape, so the web layer handles one format. Dedupe by `receipt_id`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from connectors._time import iso, parse_dt
from connectors.errors import ValidationError
from connectors.payments.base import PaymentReceipt
from connectors.payments.contrib.pagopa.notice import check_notice_number, iuv_of

RECEIPT_EVENT = "pagopa.receipt"


def receipt_to_json(r: PaymentReceipt) -> dict[str, Any]:
    return {
        "event": RECEIPT_EVENT, "receiptId": r.receipt_id, "noticeNumber": r.notice_number, "iuv": r.iuv,
        "fiscalCode": r.ec_fiscal_code, "iupd": r.iupd, "amount": r.amount_cents, "fee": r.fee_cents,
        "outcome": r.outcome, "paymentDateTime": iso(r.paid_at), "transactionId": r.transaction_id,
        "idCart": r.cart_id, "pspCompanyName": r.psp_name,
    }


def _receipt_from_mapping(data: Mapping[str, Any]) -> PaymentReceipt:
    notice = str(data["noticeNumber"])
    if not check_notice_number(notice) or iuv_of(notice) != str(data["iuv"]):
        raise ValidationError("receipt notice number or IUV is wrong")
    amount, fee = data["amount"], data.get("fee") or 0
    if not isinstance(amount, int) or amount < 1 or not isinstance(fee, int):
        raise ValidationError("receipt amounts are integer cents")
    paid_at = parse_dt(data["paymentDateTime"])
    if paid_at is None:
        raise ValidationError("receipt without payment date")
    return PaymentReceipt(
        receipt_id=str(data["receiptId"]), notice_number=notice, iuv=str(data["iuv"]),
        ec_fiscal_code=str(data["fiscalCode"]), amount_cents=amount, outcome=str(data["outcome"]),
        paid_at=paid_at, fee_cents=fee, transaction_id=data.get("transactionId"), cart_id=data.get("idCart"),
        psp_name=data.get("pspCompanyName"), iupd=data.get("iupd"))


def parse_receipt(body: bytes | str | Mapping[str, Any]) -> PaymentReceipt:
    """Parse a receipt body (verify its signature first); raise `ValidationError` if malformed."""
    try:
        data = json.loads(body) if isinstance(body, bytes | str) else body
        if not isinstance(data, Mapping) or data.get("event", RECEIPT_EVENT) != RECEIPT_EVENT:
            raise ValidationError("not a payment receipt")
        return _receipt_from_mapping(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"malformed receipt: {type(exc).__name__}") from exc
