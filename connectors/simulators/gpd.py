"""The GPD half of the pagoPA simulator: debt positions, payment options, statuses, expiry.

Paths as in GPD v1 under ``/gpd/debt-positions-service/v1``. Status is computed at read time
from the simulator's clock (which tests may move forward), like pagoPA's scheduled jobs do.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors._time import iso, parse_dt
from connectors.payments.contrib.pagopa.gpd import position_errors
from connectors.simulators._server import HttpProblem, Request, Response, SimulatorApp, json_response

GPD = "/gpd/debt-positions-service/v1/organizations/{ec}"
UNPAYABLE = {"DRAFT": "PAA_PAGAMENTO_SCONOSCIUTO", "PUBLISHED": "PAA_PAGAMENTO_SCONOSCIUTO",
             "INVALID": "PAA_PAGAMENTO_ANNULLATO", "EXPIRED": "PAA_PAGAMENTO_SCADUTO",
             "PAID": "PAA_PAGAMENTO_DUPLICATO", "PARTIALLY_PAID": "PAA_PAGAMENTO_DUPLICATO",
             "REPORTED": "PAA_PAGAMENTO_DUPLICATO"}


class GpdSimulator(SimulatorApp):
    name = "pagopa"

    def __init__(self, *, subscription_key: str | None = None) -> None:
        super().__init__()
        self.subscription_key = subscription_key
        self.positions: dict[tuple[str, str], dict[str, Any]] = {}
        self.iuvs: dict[tuple[str, str], str] = {}
        self.clock_offset = timedelta()
        base = GPD + "/debtpositions"
        self.route("POST", base, self._create)
        self.route("GET", base, self._list)
        self.route("GET", base + "/{iupd}", lambda r: json_response(200, self.view(self._get(r))))
        self.route("DELETE", base + "/{iupd}", self._delete)
        self.route("POST", base + "/{iupd}/publish", self._publish)
        self.route("POST", base + "/{iupd}/invalidate", self._invalidate)
        self.route("POST", GPD + "/paymentoptions/paids/{nav}", self._mark_paid)
        self.route("POST", "/_control/clock", self._control_clock)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.clock_offset

    def advance_clock(self, delta: timedelta) -> None:
        with self.lock:
            self.clock_offset += delta

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self.positions.clear()
            self.iuvs.clear()
            self.clock_offset = timedelta()

    def stats(self) -> dict[str, Any]:
        return {**super().stats(), "positions": len(self.positions)}

    def _control_clock(self, req: Request) -> Response:
        self.advance_clock(timedelta(seconds=float(req.json_object().get("advance_seconds", 0))))
        return json_response(200, {"now": iso(self.now())})

    def _auth(self, req: Request) -> None:
        if self.subscription_key and req.header("Ocp-Apim-Subscription-Key") != self.subscription_key:
            raise HttpProblem(401, "Unauthorized", "missing or wrong subscription key")

    def status_of(self, pos: dict[str, Any]) -> str:
        """The status as pagoPA would report it now."""
        status = str(pos["status"])
        now = self.now()
        if status == "PUBLISHED" and (parse_dt(pos.get("validityDate")) or now) <= now:
            status = "VALID"
        if status == "VALID" and pos.get("switchToExpired"):
            dues = [parse_dt(o["dueDate"]) for o in pos["paymentOption"] if o["status"] == "PO_UNPAID"]
            if dues and all(d is not None and d < now for d in dues):
                status = "EXPIRED"
        return status

    def view(self, pos: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(pos)
        out["status"] = self.status_of(pos)
        return out

    def _get(self, req: Request) -> dict[str, Any]:
        self._auth(req)
        pos = self.positions.get((req.params["ec"], req.params["iupd"]))
        if pos is None:
            raise HttpProblem(404, "Not Found", "debt position not found")
        return pos

    def _create(self, req: Request) -> Response:
        self._auth(req)
        data, ec = req.json_object(), req.params["ec"]
        errors = position_errors(data)
        if errors:
            raise HttpProblem(400, "Bad Request", "; ".join(errors))
        now = self.now()
        for o in data["paymentOption"]:
            due = parse_dt(o["dueDate"])
            if due is not None and due < now:
                raise HttpProblem(400, "Bad Request", "dueDate must not be in the past")
        with self.lock:
            if (ec, data["iupd"]) in self.positions:
                raise HttpProblem(409, "Conflict", "a debt position with this iupd already exists")
            if any((ec, o["iuv"]) in self.iuvs for o in data["paymentOption"]):
                raise HttpProblem(409, "Conflict", "an IUV is already used by this organization")
            pos = self._stored(data, ec, publish=req.query.get("toPublish") == "true")
            self.positions[(ec, data["iupd"])] = pos
            self.iuvs.update({(ec, o["iuv"]): data["iupd"] for o in pos["paymentOption"]})
        return json_response(201, self.view(pos))

    def _stored(self, data: dict[str, Any], ec: str, *, publish: bool) -> dict[str, Any]:
        pos = copy.deepcopy(data)
        status = "DRAFT"
        if publish:
            validity = parse_dt(pos.get("validityDate"))
            status = "PUBLISHED" if validity and validity > self.now() else "VALID"
        pos.update(status=status, organizationFiscalCode=ec, insertedDate=iso(self.now()),
                   publishDate=iso(self.now()) if publish else None, paymentDate=None)
        for o in pos["paymentOption"]:
            o.setdefault("nav", "3" + o["iuv"])
            o.update(status="PO_UNPAID", paymentDate=None, organizationFiscalCode=ec)
            for t in o["transfer"]:
                t.setdefault("organizationFiscalCode", ec)
                t["status"] = "T_UNREPORTED"
        return pos

    def _list(self, req: Request) -> Response:
        self._auth(req)
        limit, page = min(int(req.query.get("limit", 10)), 50), int(req.query.get("page", 0))
        found = [self.view(p) for (ec, _), p in sorted(self.positions.items()) if ec == req.params["ec"]]
        if "status" in req.query:
            found = [p for p in found if p["status"] == req.query["status"]]
        items = found[page * limit:(page + 1) * limit]
        return json_response(200, {"payment_position_list": items, "page_info": {
            "page": page, "limit": limit, "items_found": len(items),
            "total_pages": max(1, -(-len(found) // limit))}})

    def _delete(self, req: Request) -> Response:
        with self.lock:
            pos = self._get(req)
            if self.status_of(pos) in ("PAID", "PARTIALLY_PAID", "REPORTED"):
                raise HttpProblem(409, "Conflict", "a paid position cannot be deleted")
            del self.positions[(req.params["ec"], req.params["iupd"])]
            for o in pos["paymentOption"]:
                self.iuvs.pop((req.params["ec"], o["iuv"]), None)
        return json_response(200, {"deleted": pos["iupd"]})

    def _publish(self, req: Request) -> Response:
        with self.lock:
            pos = self._get(req)
            if pos["status"] != "DRAFT":
                raise HttpProblem(409, "Conflict", "only a DRAFT position can be published")
            pos.update(status="VALID", publishDate=iso(self.now()))
        return json_response(200, self.view(pos))

    def _invalidate(self, req: Request) -> Response:
        with self.lock:
            pos = self._get(req)
            if self.status_of(pos) not in ("VALID", "PUBLISHED", "EXPIRED"):
                raise HttpProblem(409, "Conflict", "the position cannot be invalidated")
            pos["status"] = "INVALID"
        return json_response(200, self.view(pos))

    def find_option(self, ec: str, nav_or_iuv: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        iuv = nav_or_iuv[1:] if len(nav_or_iuv) == 18 and nav_or_iuv[0] == "3" else nav_or_iuv
        iupd = self.iuvs.get((ec, iuv))
        if iupd is None:
            return None
        pos = self.positions[(ec, iupd)]
        return pos, next(o for o in pos["paymentOption"] if o["iuv"] == iuv)

    def pay_option(self, pos: dict[str, Any], option: dict[str, Any], when: datetime) -> None:
        """Mark one option paid and update the position status."""
        option.update(status="PO_PAID", paymentDate=iso(when))
        unpaid = [o for o in pos["paymentOption"] if o["status"] == "PO_UNPAID"]
        partial = option.get("isPartialPayment") and unpaid
        pos.update(status="PARTIALLY_PAID" if partial else "PAID", paymentDate=iso(when))

    def _mark_paid(self, req: Request) -> Response:
        self._auth(req)
        with self.lock:
            found = self.find_option(req.params["ec"], req.params["nav"])
            if found is None:
                raise HttpProblem(404, "Not Found", "payment option not found")
            pos, option = found
            if option["status"] != "PO_UNPAID" or self.status_of(pos) not in ("VALID", "EXPIRED"):
                raise HttpProblem(409, "Conflict", "the payment option is not payable")
            paid_at = parse_dt(req.json_object().get("paymentDate")) or self.now()
            self.pay_option(pos, option, paid_at)
        return json_response(200, option)
