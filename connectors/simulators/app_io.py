"""The App IO simulator. Every well-formed fiscal code has a profile that allows the sender,
unless told otherwise with `set_profile` or ``POST /_control/profiles``
{"fiscal_code", "profile": "allowed" | "blocked" | "none"}.

    POST /api/v1/profiles   {"fiscal_code"}   200 {"sender_allowed"} | 404
    POST /api/v1/messages                     201 {"id"} (idempotent on Idempotency-Key)
    GET  /api/v1/messages/{fiscal_code}/{id}
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from connectors.payments.contrib.pagopa.notice import check_notice_number
from connectors.simulators._server import HttpProblem, Request, Response, SimulatorApp, json_response

API = "/api/v1"
_FISCAL = re.compile(r"^[A-Z0-9]{16}$")


class AppIOSimulator(SimulatorApp):
    name = "appio"

    def __init__(self, *, api_key: str | None = None) -> None:
        super().__init__()
        self.api_key = api_key
        self.profiles: dict[str, str] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.profile_checks = 0
        self.route("POST", API + "/profiles", self._profile)
        self.route("POST", API + "/messages", lambda r: self.idempotent(r, self._send))
        self.route("GET", API + "/messages/{fiscal_code}/{id}", self._get)
        self.route("POST", "/_control/profiles", self._control_profiles)
        self.route("GET", "/_control/messages", lambda r: json_response(200, list(self.messages.values())))

    def stats(self) -> dict[str, Any]:
        return {**super().stats(), "messages": len(self.messages), "profile_checks": self.profile_checks}

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self.profiles.clear()
            self.messages.clear()
            self.profile_checks = 0

    def set_profile(self, fiscal_code: str, profile: str) -> None:
        if profile not in ("allowed", "blocked", "none"):
            raise ValueError("profile is allowed, blocked or none")
        with self.lock:
            self.profiles[fiscal_code.upper()] = profile

    def _control_profiles(self, req: Request) -> Response:
        data = req.json_object()
        try:
            self.set_profile(str(data["fiscal_code"]), str(data["profile"]))
        except (KeyError, ValueError) as exc:
            raise HttpProblem(400, "Bad Request", str(exc)) from None
        return json_response(200, {"ok": True})

    def _auth(self, req: Request) -> None:
        if self.api_key and req.header("Ocp-Apim-Subscription-Key") != self.api_key:
            raise HttpProblem(401, "Unauthorized", "missing or wrong subscription key")

    def _fiscal_code(self, value: Any) -> str:
        code = str(value or "").upper()
        if not _FISCAL.match(code):
            raise HttpProblem(400, "Bad Request", "fiscal_code is malformed")
        return code

    def _profile_of(self, code: str) -> str:
        return self.profiles.get(code, "allowed")

    def _profile(self, req: Request) -> Response:
        self._auth(req)
        code = self._fiscal_code(req.json_object().get("fiscal_code"))
        with self.lock:
            self.profile_checks += 1
        profile = self._profile_of(code)
        if profile == "none":
            raise HttpProblem(404, "Not Found", "profile not found")
        return json_response(200, {"sender_allowed": profile == "allowed", "preferred_languages": ["it_IT"]})

    @staticmethod
    def _check_content(content: Any) -> None:
        if not isinstance(content, dict):
            raise HttpProblem(400, "Bad Request", "content is required")
        if not 10 <= len(str(content.get("subject", ""))) <= 120:
            raise HttpProblem(400, "Bad Request", "subject must be 10..120 characters")
        if not 80 <= len(str(content.get("markdown", ""))) <= 10_000:
            raise HttpProblem(400, "Bad Request", "markdown must be 80..10000 characters")
        payment = content.get("payment_data")
        if payment is not None:
            amount = payment.get("amount")
            if not isinstance(amount, int) or not 1 <= amount <= 9_999_999_999:
                raise HttpProblem(400, "Bad Request", "payment_data.amount is 1..9999999999")
            if not check_notice_number(str(payment.get("notice_number", ""))):
                raise HttpProblem(400, "Bad Request", "payment_data.notice_number is not valid")

    def _send(self, req: Request) -> Response:
        self._auth(req)
        data = req.json_object()
        code = self._fiscal_code(data.get("fiscal_code"))
        self._check_content(data.get("content"))
        profile = self._profile_of(code)
        if profile == "none":
            raise HttpProblem(404, "Not Found", "recipient has no IO profile")
        if profile == "blocked":
            raise HttpProblem(403, "Forbidden", "recipient does not allow this sender")
        message_id = uuid.uuid4().hex.upper()[:26]
        with self.lock:
            self.messages[message_id] = {"id": message_id, "fiscal_code": code, "content": data["content"],
                                         "feature_level_type": data.get("feature_level_type", "STANDARD")}
        return json_response(201, {"id": message_id})

    def _get(self, req: Request) -> Response:
        self._auth(req)
        message = self.messages.get(req.params["id"])
        if message is None or message["fiscal_code"] != req.params["fiscal_code"].upper():
            raise HttpProblem(404, "Not Found", "message not found")
        return json_response(200, {"message": message, "status": "PROCESSED"})
