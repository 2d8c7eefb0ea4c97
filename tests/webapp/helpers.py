"""Building blocks for the API tests: valid form data and a walk through the lifecycle."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from webapp.services.applications import ACKNOWLEDGEMENT

MARIO = "RSSMRA80A01H501U"
GIUSEPPINA = "VRDGPP85M41F205X"


APPLICANT = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO,
             "email": "mario.rossi@example.it"}


def _with(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The data with overrides applied; an override of None removes the field."""
    return {k: v for k, v in {**data, **overrides}.items() if v is not None}


def accesso_atti_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        **APPLICANT,
        "in_qualita_di": "diretto interessato",
        "atti_richiesti": "Copia della delibera n. 12/2026 sul piano del traffico",
        "motivazione": "Interesse diretto come residente della via interessata",
        "modalita_accesso": "copia semplice",
    }
    return _with(data, overrides)


def contributo_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        **APPLICANT,
        "isee": 8500.0,
        "importo_richiesto": 300.0,
        "iban": "IT60X0542811101000000123456",
        "motivazione": "Spese scolastiche dei figli",
    }
    return _with(data, overrides)


def create(api: Any, service: str, data: dict[str, Any], user: str = MARIO) -> dict[str, Any]:
    response = api.post("/applications", user, json={"service": service, "data": data})
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def act(api: Any, app_id: str, action: str, user: str, body: dict[str, Any] | None = None,
        expect: int = 204) -> Any:
    response = api.post(f"/applications/{app_id}/transition/{action}", user, json=body or {})
    assert response.status_code == expect, (action, response.status_code, response.get_json())
    return response


def status(api: Any, app_id: str, user: str = "operatore") -> int:
    response = api.get(f"/applications/{app_id}", user)
    assert response.status_code == 200, response.get_json()
    return int(response.get_json()["status"])


def history(api: Any, app_id: str, user: str = "operatore") -> list[tuple[int, str]]:
    response = api.get(f"/applications/{app_id}/history", user)
    assert response.status_code == 200
    return [(int(h["status_code"]), h["user"]) for h in response.get_json()]


def submitted(api: Any, service: str = "contributo", data: dict[str, Any] | None = None,
              user: str = MARIO) -> str:
    if data is None:
        data = contributo_data() if service == "contributo" else accesso_atti_data()
    app_id = create(api, service, data, user)["id"]
    act(api, app_id, "submit", user)
    return str(app_id)


def _open(url: str, form: dict[str, str] | None = None) -> int:
    """GET (or POST `form`) without following redirects: the status code."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with urllib.request.build_opener(NoRedirect).open(urllib.request.Request(url, data=data), timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return int(exc.code)


def pay(api: Any, payment_ids: list[str], card: str, user: str = MARIO) -> int:
    """Through the pagoPA simulator's checkout page, as the citizen does: the card form's status code."""
    checkout = api.post("/payments/checkout", user, json={"payments": payment_ids})
    assert checkout.status_code == 200, checkout.get_json()
    url = checkout.get_json()["url"]
    assert _open(url) == 200  # the checkout page
    return _open(f"{url}/pay", {"card_number": card, "expiry": "12/30", "cvv": "123", "email": "m@example.it"})


def messages_after_submission(api: Any, app_id: str, user: str = MARIO) -> list[dict[str, Any]]:
    """The application's messages as `user` sees them, but the ente's acknowledgement of the submission
    (which every submitted application has)."""
    response = api.get(f"/applications/{app_id}/messages", user)
    assert response.status_code == 200, response.get_json()
    return [m for m in response.get_json() if m["subject"] != ACKNOWLEDGEMENT]
