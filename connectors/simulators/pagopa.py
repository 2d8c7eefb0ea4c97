"""The pagoPA simulator: GPD (see `gpd.py`) plus Checkout carts, a payment page with test
cards, and receipts sent to the EC: our signed JSON webhook (`receipt_format` "webhook"), or pagoPA's
own SOAP `paSendRTV2` (`receipt_format` "pasendrt", with `rt_key` in the station key header).

    POST /checkout/ec/v1/carts             302 Location: /checkout/c/{id}
    GET  /checkout/c/{id}                  payment page
    POST /checkout/c/{id}/pay              card_number=4242424242424242 pays; 4000000000000002 is declined
    POST /checkout/c/{id}/cancel           303 to returnCancelUrl
    POST /_control/config                  {"receipt_url", "webhook_secret", "commission_cents",
                                            "receipt_delay", "receipt_copies", "receipt_format", "rt_key"}
    GET  /_control/receipts                receipts and delivery outcomes
    POST /_control/receipts/{id}/resend    send a receipt again (duplicate delivery)
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from typing import Any

from connectors.payments.base import CartNotice, PaymentReceipt
from connectors.payments.contrib.pagopa.client import cart_errors
from connectors.payments.contrib.pagopa.receipt import receipt_to_json
from connectors.payments.contrib.pagopa.rt import RT_KEY_HEADER, Station, pa_send_rt_request
from connectors.simulators._server import (
    DEMO_SECRET,
    HttpProblem,
    Request,
    Response,
    deliver,
    deliver_signed,
    html_response,
    json_response,
    redirect,
)
from connectors.simulators.checkout_page import DECLINED_CARD, SUCCESS_CARD, cart_page, message_page
from connectors.simulators.gpd import UNPAYABLE, GpdSimulator

DEFAULT_COMMISSION_CENTS = 150
CONFIGURABLE = ("receipt_url", "webhook_secret", "commission_cents", "receipt_delay", "receipt_copies",
                "receipt_format", "rt_key")


class PagoPASimulator(GpdSimulator):
    def __init__(self, *, subscription_key: str | None = None, receipt_url: str | None = None,
                 webhook_secret: str = DEMO_SECRET, commission_cents: int = DEFAULT_COMMISSION_CENTS,
                 receipt_delay: float = 0.0, receipt_copies: int = 1, receipt_format: str = "webhook",
                 rt_key: str = "") -> None:
        super().__init__(subscription_key=subscription_key)
        self.receipt_url, self.webhook_secret = receipt_url, webhook_secret
        self.receipt_format, self.rt_key = receipt_format, rt_key
        self.rt_bodies: dict[str, bytes] = {}
        self.commission_cents, self.receipt_delay, self.receipt_copies = commission_cents, receipt_delay, receipt_copies
        self.carts: dict[str, dict[str, Any]] = {}
        self.receipts: dict[str, dict[str, Any]] = {}
        self.deliveries: list[dict[str, Any]] = []
        self.route("POST", "/checkout/ec/v1/carts", self._create_cart)
        self.route("GET", "/checkout/c/{cart}", self._page)
        self.route("POST", "/checkout/c/{cart}/pay", self._pay)
        self.route("POST", "/checkout/c/{cart}/cancel", self._cancel)
        self.route("POST", "/_control/config", self._control_config)
        self.route("GET", "/_control/receipts", lambda r: json_response(200, {
            "receipts": list(self.receipts.values()), "deliveries": list(self.deliveries)}))
        self.route("POST", "/_control/receipts/{receipt}/resend", self._resend)

    def stats(self) -> dict[str, Any]:
        return {**super().stats(), "carts": len(self.carts), "receipts": len(self.receipts),
                "deliveries": len(self.deliveries)}

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self.carts.clear()
            self.receipts.clear()
            self.deliveries.clear()
            self.rt_bodies.clear()
            self.receipt_format, self.rt_key = "webhook", ""  # a test that changed the shape leaves none behind

    def _control_config(self, req: Request) -> Response:
        data = req.json_object()
        with self.lock:
            for name in CONFIGURABLE:
                if name in data:
                    setattr(self, name, data[name])
        return json_response(200, {"ok": True})

    def _create_cart(self, req: Request) -> Response:
        self._auth(req)
        data = req.json_object()
        try:
            notices = [CartNotice(n["noticeNumber"], n["fiscalCode"], int(n["amount"]), n["companyName"],
                                  n["description"]) for n in data["paymentNotices"]]
            urls = data["returnUrls"]
            urls_ok = all(str(urls.get(k, "")).startswith(("http://", "https://"))
                          for k in ("returnOkUrl", "returnCancelUrl", "returnErrorUrl"))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise HttpProblem(400, "Bad Request", "paymentNotices and returnUrls are required") from None
        errors = cart_errors(notices) + ([] if urls_ok else ["returnUrls must be absolute URLs"])
        if errors:
            raise HttpProblem(400, "Bad Request", "; ".join(errors))
        cart_id = uuid.uuid4().hex
        with self.lock:
            self.carts[cart_id] = {**data, "id": cart_id, "status": "OPEN"}
        return redirect(f"{req.base_url}/checkout/c/{cart_id}")

    def _cart(self, req: Request) -> dict[str, Any]:
        cart = self.carts.get(req.params["cart"])
        if cart is None:
            raise HttpProblem(404, "Not Found", "cart not found")
        return cart

    def _page(self, req: Request) -> Response:
        cart = self._cart(req)
        if cart["status"] != "OPEN":
            return html_response(409, message_page("Carrello chiuso", "Questo pagamento è già stato concluso."))
        return html_response(200, cart_page(cart, self.commission_cents, error=self._unpayable(cart)))

    def _unpayable(self, cart: dict[str, Any]) -> str | None:
        """Italian reason why some notice cannot be paid now, or None."""
        for n in cart["paymentNotices"]:
            found = self.find_option(n["fiscalCode"], n["noticeNumber"])
            if found is None:
                return f"L'avviso {n['noticeNumber']} non risulta (PAA_PAGAMENTO_SCONOSCIUTO)."
            pos, option = found
            status = self.status_of(pos)
            if status in UNPAYABLE or option["status"] != "PO_UNPAID":
                code = UNPAYABLE.get(status, "PAA_PAGAMENTO_DUPLICATO")
                return f"L'avviso {n['noticeNumber']} non è pagabile ({code})."
            if int(option["amount"]) != int(n["amount"]):
                return f"L'importo dell'avviso {n['noticeNumber']} non corrisponde."
        return None

    def _pay(self, req: Request) -> Response:
        cart = self._cart(req)
        card = re.sub(r"\D", "", req.form().get("card_number", ""))
        with self.lock:
            if cart["status"] != "OPEN":
                return html_response(409, message_page("Carrello chiuso", "Questo pagamento è già stato concluso."))
            reason = self._unpayable(cart)
            if reason:
                return html_response(422, cart_page(cart, self.commission_cents, error=reason))
            if card != SUCCESS_CARD:
                text = "Pagamento rifiutato dalla banca." if card == DECLINED_CARD else "Carta non valida."
                return html_response(402, cart_page(cart, self.commission_cents, error=text))
            receipts = self._settle(cart)
        self._send_receipts(receipts)
        return redirect(cart["returnUrls"]["returnOkUrl"], 303)

    def _settle(self, cart: dict[str, Any]) -> list[dict[str, Any]]:
        now, transaction = self.now(), uuid.uuid4().hex
        cart["status"] = "PAID"
        receipts = []
        for i, n in enumerate(cart["paymentNotices"]):
            found = self.find_option(n["fiscalCode"], n["noticeNumber"])
            assert found is not None
            pos, option = found
            self.pay_option(pos, option, now)
            receipt = PaymentReceipt(
                receipt_id=uuid.uuid4().hex, notice_number=n["noticeNumber"], iuv=option["iuv"],
                ec_fiscal_code=n["fiscalCode"], amount_cents=int(n["amount"]), outcome="OK", paid_at=now,
                fee_cents=self.commission_cents if i == 0 else 0, transaction_id=transaction,
                cart_id=cart["id"], psp_name="PSP Simulato", iupd=pos["iupd"])
            receipts.append(receipt_to_json(receipt))
            ec = n["fiscalCode"]
            self.rt_bodies[receipt.receipt_id] = pa_send_rt_request(
                receipt, Station(ec, ec, f"{ec}_01"), description=n["description"], company_name=n["companyName"],
                debtor_fiscal_code=pos["fiscalCode"], debtor_name=pos["fullName"],
                iban=option["transfer"][0].get("iban"))
        self.receipts.update({r["receiptId"]: r for r in receipts})
        return receipts

    def _send_receipts(self, receipts: list[dict[str, Any]], copies: int | None = None) -> None:
        url, secret, delay = self.receipt_url, self.webhook_secret, self.receipt_delay
        if not url:
            return  # nobody to tell: the EC learns of the payment only by reading the position (reconciliation)
        count = self.receipt_copies if copies is None else copies
        soap, key = self.receipt_format == "pasendrt", self.rt_key

        def send(receipt: dict[str, Any]) -> list[int | str]:
            if not soap:
                return deliver_signed(url, receipt, secret)
            headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "paSendRTV2", RT_KEY_HEADER: key}
            return deliver(url, self.rt_bodies[receipt["receiptId"]], lambda: headers)

        def run() -> None:
            if delay:
                time.sleep(delay)
            for receipt in receipts:
                for _ in range(count):
                    outcome = send(receipt)
                    with self.lock:
                        self.deliveries.append({"receiptId": receipt["receiptId"], "attempts": outcome})

        if delay:
            threading.Thread(target=run, name="pagopa-receipts", daemon=True).start()
        else:
            run()

    def _resend(self, req: Request) -> Response:
        receipt = self.receipts.get(req.params["receipt"])
        if receipt is None:
            raise HttpProblem(404, "Not Found", "receipt not found")
        self._send_receipts([receipt], copies=1)
        return json_response(200, {"ok": True})

    def _cancel(self, req: Request) -> Response:
        cart = self._cart(req)
        with self.lock:
            if cart["status"] == "OPEN":
                cart["status"] = "CANCELED"
        return redirect(cart["returnUrls"]["returnCancelUrl"], 303)
