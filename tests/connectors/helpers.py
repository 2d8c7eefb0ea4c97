"""Builders shared by the connector tests."""

from __future__ import annotations

import json
import socket
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors import CartNotice, Debtor, DebtPosition, PaymentOption, Transfer
from connectors.payments import make_iupd, notice_number_from_sequence

EC = "00000000000"
SECRET = "test-webhook-secret"
SEGREGATION = 1

_sequence = iter(range(1, 10**6))


def make_position(key: str, amount: int = 1600, *, due_in: timedelta = timedelta(days=30),
                  description: str = "Diritti di segreteria") -> DebtPosition:
    """A one-option position with a fresh notice number from a counter, as the web layer would."""
    notice = notice_number_from_sequence(SEGREGATION, next(_sequence))
    option = PaymentOption(
        iuv=notice[1:], amount_cents=amount, description=description, due_date=datetime.now(UTC) + due_in,
        transfers=(Transfer("1", amount, description, "9/0101100IM/", iban="IT60X0542811101000000123456"),))
    return DebtPosition(iupd=make_iupd(EC, key), debtor=Debtor("RSSMRA80A01H501U", "Mario Rossi"),
                        company_name="Comune di Prova", options=(option,))


def cart_notice(notice_number: str, amount: int = 1600) -> CartNotice:
    return CartNotice(notice_number, EC, amount, "Comune di Prova", "Diritti di segreteria")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post_json(url: str, data: Any) -> Any:
    req = urllib.request.Request(url, data=json.dumps(data).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read() or b"null")
