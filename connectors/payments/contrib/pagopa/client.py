"""pagoPA client: GPD debt positions (v1) and the Checkout cart, over HTTP."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Self

from connectors._http import HttpClient
from connectors._plugins import require
from connectors._time import iso
from connectors.errors import ConfigurationError, ConflictError, ValidationError
from connectors.payments.base import (
    MAX_CART_NOTICES,
    CartNotice,
    CheckoutSession,
    DebtPosition,
    DebtPositionState,
    ReturnUrls,
)
from connectors.payments.contrib.pagopa.gpd import position_errors, position_to_json, state_from_json
from connectors.payments.contrib.pagopa.notice import check_notice_number
from connectors.payments.registry import register

PRODUCTION_GPD_URL = "https://api.platform.pagopa.it/gpd/debt-positions-service/v1"
PRODUCTION_CHECKOUT_URL = "https://api.platform.pagopa.it/checkout/ec/v1"
UAT_GPD_URL = "https://api.uat.platform.pagopa.it/gpd/debt-positions-service/v1"
UAT_CHECKOUT_URL = "https://api.uat.platform.pagopa.it/checkout/ec/v1"
SUBSCRIPTION_HEADER = "Ocp-Apim-Subscription-Key"  # APIM's usual name; unverified for GPD
_FISCAL11 = re.compile(r"^\d{11}$")


def cart_errors(notices: Sequence[CartNotice]) -> list[str]:
    """Checkout's `CartRequest` rules: 1..5 notices, each well formed."""
    if not 1 <= len(notices) <= MAX_CART_NOTICES:
        return [f"a cart holds 1..{MAX_CART_NOTICES} notices, not {len(notices)}"]
    errors: list[str] = []
    if len({n.notice_number for n in notices}) != len(notices):
        errors.append("the same notice is twice in the cart")
    for i, n in enumerate(notices):
        if not check_notice_number(n.notice_number):
            errors.append(f"notice {i}: bad notice number")
        if not _FISCAL11.match(n.ec_fiscal_code):
            errors.append(f"notice {i}: bad EC fiscal code")
        if n.amount_cents < 1:
            errors.append(f"notice {i}: amount must be positive")
        if not (0 < len(n.company_name) <= 140 and 0 < len(n.description) <= 140):
            errors.append(f"notice {i}: companyName and description are 1..140 characters")
    return errors


@register("pagopa")
class PagoPAClient:
    """`PaymentGateway` for one EC (or an intermediary key enabled for it)."""

    def __init__(self, *, ec_fiscal_code: str, gpd_url: str = PRODUCTION_GPD_URL,
                 checkout_url: str = PRODUCTION_CHECKOUT_URL, subscription_key: str = "",
                 checkout_key: str | None = None, timeout: float = 10.0) -> None:
        if not _FISCAL11.match(ec_fiscal_code):
            raise ValueError("the EC fiscal code is 11 digits")
        self.ec_fiscal_code = ec_fiscal_code
        self._gpd = HttpClient(gpd_url, headers={SUBSCRIPTION_HEADER: subscription_key}, timeout=timeout)
        key = subscription_key if checkout_key is None else checkout_key
        self._checkout = HttpClient(checkout_url, headers={SUBSCRIPTION_HEADER: key}, timeout=timeout)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], /, *, ec_fiscal_code: str | None = None,
                    **context: Any) -> Self:
        """PAGOPA_GPD_URL, PAGOPA_CHECKOUT_URL, PAGOPA_SUBSCRIPTION_KEY; the tenant's `ec_fiscal_code`."""
        gpd_url, checkout_url, key = require(config, "PAGOPA_GPD_URL", "PAGOPA_CHECKOUT_URL",
                                             "PAGOPA_SUBSCRIPTION_KEY", plugin="pagopa")
        if not ec_fiscal_code:
            raise ConfigurationError("pagopa: the creditor's ec_fiscal_code is needed")
        return cls(ec_fiscal_code=ec_fiscal_code, gpd_url=gpd_url, checkout_url=checkout_url, subscription_key=key)

    @classmethod
    def for_simulator(cls, url: str, *, ec_fiscal_code: str, subscription_key: str = "demo") -> Self:
        """A client for `connectors.simulators.pagopa` running at `url`."""
        base = url.rstrip("/")
        return cls(ec_fiscal_code=ec_fiscal_code, gpd_url=f"{base}/gpd/debt-positions-service/v1",
                   checkout_url=f"{base}/checkout/ec/v1", subscription_key=subscription_key)

    def _path(self, suffix: str = "") -> str:
        return f"/organizations/{self.ec_fiscal_code}/debtpositions{suffix}"

    def create_debt_position(self, position: DebtPosition, *, idempotency_key: str,
                             publish: bool = True) -> DebtPositionState:
        """Create (and publish) a position. A retry after a lost answer returns the same position."""
        body = position_to_json(position)
        errors = position_errors(body)
        if errors:
            raise ValidationError("; ".join(errors))
        try:
            resp = self._gpd.request("POST", self._path(), json_body=body, idempotency_key=idempotency_key,
                                     params={"toPublish": str(publish).lower()}, ok=(200, 201))
        except ConflictError:
            existing = self.get_debt_position(position.iupd, idempotency_key=idempotency_key)
            if sorted(o.iuv for o in existing.options) != sorted(o.iuv for o in position.options):
                raise
            return existing
        return state_from_json(resp.json())

    def get_debt_position(self, iupd: str, *, idempotency_key: str | None = None) -> DebtPositionState:
        resp = self._gpd.request("GET", self._path(f"/{iupd}"), idempotency_key=idempotency_key)
        return state_from_json(resp.json())

    def invalidate_debt_position(self, iupd: str, *, idempotency_key: str) -> DebtPositionState:
        """Invalidate (withdrawn/rejected application). Already INVALID counts as done."""
        try:
            resp = self._gpd.request("POST", self._path(f"/{iupd}/invalidate"), idempotency_key=idempotency_key)
        except ConflictError:
            existing = self.get_debt_position(iupd, idempotency_key=idempotency_key)
            if existing.status != "INVALID":
                raise
            return existing
        return state_from_json(resp.json())

    def publish_debt_position(self, iupd: str, *, idempotency_key: str) -> DebtPositionState:
        resp = self._gpd.request("POST", self._path(f"/{iupd}/publish"), idempotency_key=idempotency_key)
        return state_from_json(resp.json())

    def mark_paid(self, notice_number: str, paid_at: datetime, *, idempotency_key: str) -> None:
        """*Registra pagamento*: the option was paid outside pagoPA (path unverified for v1)."""
        path = f"/organizations/{self.ec_fiscal_code}/paymentoptions/paids/{notice_number}"
        self._gpd.request("POST", path, json_body={"paymentDate": iso(paid_at)}, idempotency_key=idempotency_key)

    def create_checkout(self, notices: Sequence[CartNotice], return_urls: ReturnUrls, *,
                        idempotency_key: str, email: str | None = None) -> CheckoutSession:
        """Open a Checkout cart of 1..5 notices paid together with one commission."""
        errors = cart_errors(notices)
        if errors:
            raise ValidationError("; ".join(errors))
        body: dict[str, object] = {
            "paymentNotices": [{"noticeNumber": n.notice_number, "fiscalCode": n.ec_fiscal_code,
                                "amount": n.amount_cents, "companyName": n.company_name,
                                "description": n.description} for n in notices],
            "returnUrls": {"returnOkUrl": return_urls.ok, "returnCancelUrl": return_urls.cancel,
                           "returnErrorUrl": return_urls.error},
        }
        if email:
            body["emailNotice"] = email
        resp = self._checkout.request("POST", "/carts", json_body=body, idempotency_key=idempotency_key,
                                      ok=(302, 303))
        location = resp.header("Location")
        if not location:
            raise ValidationError("checkout answered without a Location")
        return CheckoutSession(url=location)
