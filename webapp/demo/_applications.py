"""The demo's applications: a realistic set in every state, so the back office's list, details and
statistics are not empty on the first `make demo`. Demo only: the tests' database (`seed_demo`) never
has them.

Every application goes through the real use cases (create, transitions, messages), so statuses,
history, protocol numbers, payments and e-mails are what the platform produces. Only the clock is
moved afterwards: each step's records are dated some days back, as if the office had worked on them
over the last weeks (the use cases date everything "now").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import APPLICANT, CITIZEN, INTERNAL, Application, Attachment, Message, StatusChange, Tenant, User
from webapp.services import applications
from webapp.services.common.localtime import aware
from webapp.services.common.options import options_of
from webapp.services.common.uow import unit_of_work
from webapp.services.people import TEST_CITIZENS, hash_password

from ._seed import DEMO_PASSWORD

# Citizens who exist only for these applications (Mario Rossi and Giuseppina Verdi come from seed_demo).
EXTRA_CITIZENS = (
    {"fiscal_code": "FRRNNA72C52L219N", "name": "Anna", "family_name": "Ferrari", "birth_date": "1972-03-12",
     "birth_place": "Torino", "email": "anna.ferrari@example.it", "phone": "+39 340 1112233",
     "residence": {"address": "Via Garibaldi 8", "postal_code": "00100", "city": "Roma", "province": "RM"}},
    {"fiscal_code": "SPSPLA90S05F839W", "name": "Paolo", "family_name": "Esposito", "birth_date": "1990-11-05",
     "birth_place": "Napoli", "email": "paolo.esposito@example.it", "phone": "+39 328 4445566",
     "residence": {"address": "Via dei Mille 21", "postal_code": "00100", "city": "Roma", "province": "RM"}},
    {"fiscal_code": "RMNCHR95H63A944K", "name": "Chiara", "family_name": "Romano", "birth_date": "1995-06-23",
     "birth_place": "Bologna", "email": "chiara.romano@example.it", "phone": "+39 339 7778899",
     "residence": {"address": "Viale Mazzini 3", "postal_code": "00100", "city": "Roma", "province": "RM"}},
)
OPERATOR = "operatore"


@dataclass(frozen=True)
class Step:
    """One act on the application, `after` days after the one before; `by` the citizen or the operator."""

    by: str  # "citizen" | "operator"
    action: str  # a transition, "message" (to the other side) or "note" (the office's private note)
    after: int = 0
    message: str | None = None
    partial: bool = False


@dataclass(frozen=True)
class Planned:
    person: dict[str, Any]
    service: str
    data: dict[str, Any]
    started: int  # days ago
    steps: tuple[Step, ...] = ()


def _applicant(person: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"privacy": True, "nome": person["name"], "cognome": person["family_name"],
            "codice_fiscale": person["fiscal_code"], "email": person["email"], **fields}


def _contributo(person: dict[str, Any], isee: float, amount: float, reason: str) -> dict[str, Any]:
    return _applicant(person, isee=isee, importo_richiesto=amount, iban="IT60X0542811101000000123456",
                      motivazione=reason)


def _accesso_atti(person: dict[str, Any], documents: str, reason: str | None = None) -> dict[str, Any]:
    data = _applicant(person, in_qualita_di="diretto interessato", atti_richiesti=documents,
                      modalita_accesso="copia semplice")
    return {**data, "motivazione": reason} if reason else data  # a draft may still lack it


def _cdu(person: dict[str, Any], sheet: str, parcels: str, use: str) -> dict[str, Any]:
    return _applicant(person, foglio=sheet, particelle=parcels, uso=use)


MARIO, GIUSEPPINA = TEST_CITIZENS
ANNA, PAOLO, CHIARA = EXTRA_CITIZENS
SUBMIT = Step("citizen", "submit")
TAKE = Step("operator", "assign")

PLAN = (
    Planned(MARIO, "contributo", _contributo(MARIO, 9800, 400, "Bollette del riscaldamento"), 1),
    Planned(GIUSEPPINA, "accesso-atti", _accesso_atti(GIUSEPPINA, "Planimetria del cortile condominiale"), 2),
    Planned(ANNA, "contributo", _contributo(ANNA, 7200, 600, "Affitto di due mensilità arretrate"), 3, (SUBMIT,)),
    Planned(PAOLO, "accesso-atti", _accesso_atti(PAOLO, "Verbale della Polizia Locale n. 318/2026",
                                                 "Ricorso contro la sanzione"), 5, (SUBMIT,)),
    Planned(MARIO, "cdu", _cdu(MARIO, "12", "101, 102", "compravendita"), 4, (SUBMIT,)),  # waits for payment
    Planned(CHIARA, "cdu", _cdu(CHIARA, "7", "45", "successione"), 1, (SUBMIT,)),
    Planned(MARIO, "accesso-atti", _accesso_atti(MARIO, "Delibera di giunta n. 45/2026 sul piano parcheggi",
                                                 "Residente nella zona interessata"), 12,
            (SUBMIT, TAKE, Step("citizen", "message", 1, "Posso ritirare le copie allo sportello?"),
             Step("operator", "message", 1, "Sì, le copie saranno pronte all'URP dal lunedì al venerdì."))),
    Planned(GIUSEPPINA, "contributo", _contributo(GIUSEPPINA, 11500, 250, "Spese per i libri scolastici"), 9,
            (SUBMIT, Step("operator", "assign", 1),
             Step("operator", "note", 1, "ISEE vicino alla soglia: verificare l'attestazione."))),
    Planned(MARIO, "contributo", _contributo(MARIO, 8500, 300, "Spese mediche non rimborsate"), 8,
            (SUBMIT, Step("operator", "assign", 2), Step("operator", "request-integration", 1, (
                "Allegare le ricevute delle spese mediche e l'attestazione ISEE in corso di validità.")))),
    Planned(PAOLO, "accesso-atti", _accesso_atti(PAOLO, "Autorizzazione allo scarico delle acque dell'edificio di "
                                                 "via Verdi 4", "Proprietario di un appartamento nell'edificio"), 16,
            (SUBMIT, Step("operator", "assign", 1),
             Step("operator", "request-integration", 2, "Indicare gli estremi catastali del suo appartamento."),
             Step("citizen", "submit", 3, "Foglio 18, particella 233, subalterno 7."))),
    Planned(ANNA, "accesso-atti", _accesso_atti(ANNA, "Permesso di costruire n. 12/2025 dell'edificio confinante",
                                                "Confinante con il cantiere"), 20,
            (SUBMIT, Step("operator", "assign", 2),
             Step("operator", "accept", 5, "Accesso consentito: le copie sono disponibili all'URP."))),
    Planned(CHIARA, "contributo", _contributo(CHIARA, 5400, 900, "Spese per il trasloco dopo lo sfratto"), 24,
            (SUBMIT, Step("operator", "assign", 1),
             Step("operator", "accept", 6, "Concesso un contributo di 500 euro, il massimo previsto dal bando per "
                  "questa spesa.", partial=True))),
    Planned(GIUSEPPINA, "accesso-atti", _accesso_atti(GIUSEPPINA, "Esposti presentati dai vicini nel 2025",
                                                      "Curiosità"), 14,
            (SUBMIT, Step("operator", "assign", 1),
             Step("operator", "reject", 4, "La richiesta non indica un interesse diretto, concreto e attuale "
                  "(legge 241/1990, art. 22)."))),
    Planned(PAOLO, "contributo", _contributo(PAOLO, 7000, 200, "Abbonamento ai mezzi pubblici"), 6,
            (SUBMIT, Step("citizen", "withdraw", 1))),
    Planned(ANNA, "contributo", _contributo(ANNA, 4300, 350, "Spese per la mensa scolastica"), 27,
            (SUBMIT, Step("operator", "assign", 2), Step("operator", "accept", 3, "Contributo concesso."))),
)


def seed_demo_applications(tenant: Tenant) -> int:
    """Add the set once (skipped when its own citizens already have applications); returns how many."""
    citizens = {person["fiscal_code"]: _citizen(tenant, person) for person in (*TEST_CITIZENS, *EXTRA_CITIZENS)}
    extra = [citizens[person["fiscal_code"]].id for person in EXTRA_CITIZENS]
    if db.session.scalar(select(Application.id).where(Application.tenant_id == tenant.id,
                                                      Application.user_id.in_(extra)).limit(1)):
        return 0
    operator = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == OPERATOR))
    assert operator is not None, "seed_demo first"
    for planned in PLAN:
        _journey(tenant, citizens[planned.person["fiscal_code"]], operator, planned)
    return len(PLAN)


def _citizen(tenant: Tenant, person: dict[str, Any]) -> User:
    with unit_of_work():
        user = db.session.scalar(select(User).where(User.tenant_id == tenant.id,
                                                    User.fiscal_code == person["fiscal_code"]))
        if user is None:
            user = User(tenant_id=tenant.id, role=CITIZEN, password_hash=hash_password(DEMO_PASSWORD),
                        identity={"method": "spid", **person}, **person)
            db.session.add(user)
    return user


def _journey(tenant: Tenant, citizen: User, operator: User, planned: Planned) -> None:
    """Create, then each step; what each wrote is dated back to its day (same hour of the day for the
    whole application, so that steps of one day keep their order)."""
    hour = timedelta(hours=planned.started % 5)
    mark = datetime.now(UTC)
    app = applications.create_application(tenant, citizen, planned.service, planned.data)
    _backdate(app.id, mark, timedelta(days=planned.started) + hour)
    days_ago = planned.started
    for step in planned.steps:
        days_ago = max(days_ago - step.after, 0)
        mark = datetime.now(UTC)
        _act(tenant, citizen if step.by == "citizen" else operator, app.id, step)
        _backdate(app.id, mark, timedelta(days=days_ago) + hour)


def _act(tenant: Tenant, user: User, app_id: Any, step: Step) -> None:
    if step.action in ("message", "note"):
        visibility = INTERNAL if step.action == "note" else APPLICANT
        applications.post_message(tenant, user, app_id, applications.NewMessage(step.message or "", visibility))
        return
    body: dict[str, Any] = {"message": step.message} if step.message else {}
    command = applications.command_for(step.action, {**body, "partial": True} if step.partial else body)
    applications.transition(tenant, user, app_id, command)


DATED: tuple[type[Any], ...] = (StatusChange, Message, Attachment)


def _backdate(app_id: Any, since: datetime, back: timedelta) -> None:
    """What the last step wrote (dated at or after `since`) is dated `back` earlier."""
    with unit_of_work():
        for model in DATED:
            for row in db.session.scalars(select(model).where(model.application_id == app_id)):
                if aware(row.created_at) >= since:
                    row.created_at = aware(row.created_at) - back
        app = db.session.get(Application, app_id)
        assert app is not None
        for column in ("created_at", "submitted_at", "received_at", "taken_in_charge_at",
                       "latest_status_change_at"):
            moment = getattr(app, column)
            if moment is not None and aware(moment) >= since:
                setattr(app, column, aware(moment) - back)
                if column == "received_at":  # the latest completion date counts from the receipt
                    app.due_on = applications.due_on(aware(moment) - back,
                                                     options_of(app.service_version).max_response_time)
