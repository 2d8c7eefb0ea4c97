"""The Area personale: the citizen's applications, messages, documents, profile, and the actions on a
sent application (message, withdraw, answer an integration request, follow-up requests)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import forms
from webapp.extensions import db
from webapp.models import (
    APPLICANT,
    Application,
    Attachment,
    Meeting,
    Message,
    Payment,
    Service,
    StatusChange,
    Tenant,
    User,
)
from webapp.services import applications, appointments, catalogue, outbound
from webapp.services.applications import SummaryGroup, data_groups, prefill
from webapp.services.common import policy, statuses
from webapp.services.common.errors import (
    BadRequest,
    FieldProblem,
    NotFound,
    PayloadTooLarge,
    TransitionNotAllowed,
    UnsupportedMedia,
    ValidationFailed,
)
from webapp.services.common.options import options_of
from webapp.services.common.storage import StoredObject
from webapp.services.common.tenancy import scoped
from webapp.services.common.uow import unit_of_work
from webapp.services.common.uploads import Upload, find_attachment, open_attachment, sniff_type
from webapp.services.people import identity_locked_fields

# The Area personale's status groups (ui.md §3.5): filter value -> (label, codes).
STATUS_GROUPS: dict[str, tuple[str, frozenset[int]]] = {
    "bozza": ("In bozza", frozenset({1000, 1500, 1510, 1530})),
    "inviate": ("Inviate", frozenset({1520, 1900, 2000, 3000})),
    "elaborazione": ("In elaborazione", frozenset({4000, 4300, 4400, 4500, 6000, 8000})),
    "integrare": ("Da integrare", frozenset({4100, 4200})),
    "accettate": ("Accettate", frozenset({7000, 7100})),
    "rifiutate": ("Rifiutate", frozenset({9000})),
    "ritirate": ("Ritirate o annullate", frozenset({20000, 50000})),
}
FOLLOW_UPS = {"rinnovo": "Rinnovo", "interruzione": "Interruzione", "sospensione": "Sospensione",
              "modifica": "Modifica", "voltura": "Voltura", "subentro": "Subentro"}
FOLLOW_UP_STATUSES = frozenset({statuses.COMPLETE, statuses.PARTIALLY_COMPLETE})
PAGE_SIZE = 20
UploadRefused = (PayloadTooLarge, UnsupportedMedia, BadRequest)  # a file refused: the page says why


def citizen_applications(tenant: Tenant, user: User, service: str | None, group: str | None,
                         page: int = 1) -> tuple[list[Application], int]:
    query = policy.visible_applications(user, tenant)
    if service:
        query = query.where(Application.service_id == catalogue.get_service(tenant, service).id)
    if group in STATUS_GROUPS:
        query = query.where(Application.status.in_(STATUS_GROUPS[group][1]))
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Application.created_at.desc(), Application.id)
                              .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return list(rows), total


def citizen_services(tenant: Tenant) -> list[Service]:
    return catalogue.list_services(tenant)


@dataclass
class Detail:
    app: Application
    groups: list[SummaryGroup]
    history: list[StatusChange]
    messages: list[Message]
    attachments: list[Attachment]  # files of the form and documents; message files sit with messages
    withdraw_refusal: str | None
    can_answer_integration: bool
    follow_ups: list[tuple[str, str]]
    children: list[Application] = field(default_factory=list)
    parent: Application | None = None
    payments: list[Payment] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)


def detail(tenant: Tenant, user: User, app_id: Any) -> Detail:
    app = policy.get_application(user, tenant, app_id)
    form = catalogue.form_for(app.service_version)
    files = db.session.scalars(scoped(Attachment, tenant).where(
        Attachment.application_id == app.id, Attachment.message_id.is_(None)).order_by(Attachment.created_at))
    return Detail(
        app=app, groups=data_groups(app, form), history=applications.history(tenant, user, app.id),
        messages=applications.list_messages(tenant, user, app.id), attachments=list(files),
        withdraw_refusal=policy.withdraw_refusal(user, app),
        can_answer_integration=policy.refusal(user, app, "submit") is None
        and app.status == statuses.DRAFT_FOR_INTEGRATION,
        follow_ups=follow_ups(user, app),
        children=list(db.session.scalars(policy.visible_applications(user, tenant).where(
            Application.parent_id == app.id).order_by(Application.created_at))),
        parent=db.session.get(Application, app.parent_id) if app.parent_id else None,
        payments=outbound.for_application(app), meetings=appointments.for_application(app),
    )


def all_messages(tenant: Tenant, user: User) -> list[tuple[Message, Application]]:
    """Every message exchanged on the citizen's applications (never private notes)."""
    own = policy.visible_applications(user, tenant).with_only_columns(Application.id)
    rows = db.session.execute(
        db.select(Message, Application).join(Application, Application.id == Message.application_id)
        .where(Message.tenant_id == tenant.id, Message.application_id.in_(own), Message.visibility == APPLICANT)
        .order_by(Message.created_at.desc()).limit(200))
    return [(m, a) for m, a in rows]


def all_documents(tenant: Tenant, user: User) -> list[tuple[Attachment, Application]]:
    """Files of the citizen's applications: their own uploads and the documents of the office."""
    own = policy.visible_applications(user, tenant).with_only_columns(Application.id)
    private = db.select(Message.id).where(Message.visibility != APPLICANT)
    rows = db.session.execute(
        db.select(Attachment, Application).join(Application, Application.id == Attachment.application_id)
        .where(Attachment.tenant_id == tenant.id, Attachment.application_id.in_(own),
               (Attachment.message_id.is_(None)) | (Attachment.message_id.not_in(private)))
        .order_by(Attachment.created_at.desc()).limit(200))
    return [(a, app) for a, app in rows]


def download(tenant: Tenant, user: User, app_id: Any, attachment_id: Any) -> tuple[Attachment, StoredObject]:
    app = policy.get_application(user, tenant, app_id)
    attachment = find_attachment(tenant, app, attachment_id)
    policy.require_attachment_visible(user, attachment)  # before the file is opened
    return attachment, open_attachment(attachment)


def send_message(tenant: Tenant, user: User, app_id: Any, text: str, uploads: list[Upload]) -> Message:
    """The citizen writes to the office; files checked by content before anything is stored."""
    for upload in uploads:
        sniff_type(upload)
    return applications.post_message(tenant, user, app_id, applications.NewMessage(text, APPLICANT,
                                                                                   attachments=tuple(uploads)))


def withdraw(tenant: Tenant, user: User, app_id: Any, version: int | None) -> Application:
    return applications.transition(tenant, user, app_id, applications.Withdrawal(), version)


# --- Answering an integration request ---

def integration_fields(tenant: Tenant, user: User, app_id: Any,
                       data: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> tuple[
                           Application, list[forms.FieldView]]:
    app = policy.get_application(user, tenant, app_id)
    form = catalogue.form_for(app.service_version)
    data = app.data if data is None else data
    active = form.active_fields(data)
    names = [n for n in form.schema.get("properties", {}) if n in active and n != "privacy"
             and n not in forms.attachment_names(form, [n])]
    return app, forms.build_fields(form, names, data, errors or {}, forms.required_fields(form, active))


def _integration_data(app: Application, names: tuple[str, ...], formdata: Any) -> tuple[dict[str, Any], list[str]]:
    form = catalogue.form_for(app.service_version)
    posted = forms.parse_step(form, names, formdata, {})
    data = {k: v for k, v in app.data.items() if k not in names}
    data.update(posted.values)
    active = form.active_fields(data)
    return {k: v for k, v in data.items() if k in active}, [n for n in posted.unknown if n not in ("message",)]


def posted_data(tenant: Tenant, user: User, app_id: Any, formdata: Any) -> dict[str, Any]:
    """The integration form's posted values, to show them again next to their errors."""
    app, views = integration_fields(tenant, user, app_id)
    return _integration_data(app, tuple(v.name for v in views), formdata)[0]


def answer_integration(tenant: Tenant, user: User, app_id: Any, formdata: Any, uploads: list[Upload],
                       version: int | None) -> Application:
    """Changed data, a message and files: the citizen's answer (transition "submit" from 4200)."""
    app = policy.get_application(user, tenant, app_id)
    policy.require(user, app, "submit")
    if app.status != statuses.DRAFT_FOR_INTEGRATION:
        raise TransitionNotAllowed("Nessuna richiesta di integrazioni in attesa di risposta.",
                                   application_status=app.status)
    _, views = integration_fields(tenant, user, app.id)
    data, unknown = _integration_data(app, tuple(v.name for v in views), formdata)
    if unknown:
        raise ValidationFailed([FieldProblem("/" + n, "Campo non previsto dal modulo", "additionalProperties")
                                for n in unknown])
    for upload in uploads:
        sniff_type(upload)
    answer = applications.Submit(data=data, message=str(formdata.get("message") or "").strip() or None,
                                 attachments=tuple(uploads))
    return applications.transition(tenant, user, app.id, answer, version)


# --- Follow-up requests: a new application linked to the original, which stays untouched ---

def follow_ups(user: User, app: Application) -> list[tuple[str, str]]:
    enabled = options_of(app.service.current_version).follow_ups
    if app.user_id != user.id or app.status not in FOLLOW_UP_STATUSES:
        return []
    return [(kind, FOLLOW_UPS[kind]) for kind in enabled if kind in FOLLOW_UPS]


def start_follow_up(tenant: Tenant, user: User, app_id: Any, kind: str) -> Application:
    original = policy.get_application(user, tenant, app_id)
    if kind not in dict(follow_ups(user, original)):
        raise NotFound("Richiesta non prevista per questa pratica.")
    version = original.service.current_version
    form = catalogue.form_for(version)
    files = set(forms.attachment_names(form, list(original.data)))
    data = {k: v for k, v in original.data.items() if k not in files and k != "privacy"}
    data.update(prefill(user, form))
    data = {k: v for k, v in data.items() if k in form.schema.get("properties", {})}
    bad = {e.pointer.strip("/").split("/")[0] for e in form.validate(data)
           if e.code not in applications.DRAFT_TOLERATED}
    data = {k: v for k, v in data.items() if k not in bad}
    with unit_of_work():
        new = applications.create_application(tenant, user, original.service.slug, data)
        new.parent_id = original.id
        new.follow_up_kind = kind
        new.last_compiled_step = form.steps[0].id
    return new


# --- Profile ---

PROFILE_TEXT = ("email", "phone", "birth_date", "birth_place", "birth_country")
ADDRESS_PARTS = ("address", "postal_code", "city", "province")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?[0-9 ]{6,20}")
_CAP = re.compile(r"[0-9]{5}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _profile_errors(values: dict[str, Any]) -> list[FieldProblem]:
    checks = [("email", _EMAIL, "Indirizzo email non valido"), ("phone", _PHONE, "Numero di telefono non valido"),
              ("birth_date", _DATE, "Data non valida: usa il formato AAAA-MM-GG")]
    problems = [FieldProblem(f"/{name}", message, "format") for name, pattern, message in checks
                if values.get(name) and not pattern.fullmatch(values[name])]
    for kind in ("residence", "domicile"):
        cap = (values.get(kind) or {}).get("postal_code")
        if cap and not _CAP.fullmatch(cap):
            problems.append(FieldProblem(f"/{kind}/postal_code", "CAP non valido: servono 5 cifre", "format"))
    return problems


_AMOUNT = re.compile(r"[0-9]+([.,][0-9]{1,2})?")
_THOUSANDS = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+(,[0-9]{1,2})?")


def parse_euro(text: str) -> float | int | None:
    """An amount typed the Italian way ("8.500,50", "8500,5", "8500") or with a decimal point ("8500.50");
    None when it is not one. "8.500" is eight thousand five hundred, as an Italian reads it."""
    raw = text.replace("€", "").replace(" ", "").strip()
    if _THOUSANDS.fullmatch(raw):
        raw = raw.replace(".", "")
    if not _AMOUNT.fullmatch(raw):
        return None
    value = round(float(raw.replace(",", ".")), 2)
    return int(value) if value.is_integer() else value


def _held_values(formdata: Any) -> tuple[dict[str, Any], list[FieldProblem]]:
    """The ISEE and the IBAN as typed on the profile page: values to keep, or their field errors."""
    values: dict[str, Any] = {}
    problems = []
    isee = (formdata.get("isee") or "").strip()
    if isee:
        amount = parse_euro(isee)
        if amount is None:
            problems.append(FieldProblem("/isee", "Valore ISEE non valido: scrivi un importo in euro, "
                                                  "ad esempio 8.500,00", "format"))
        values["isee"] = amount
    iban = (formdata.get("iban") or "").replace(" ", "").upper()
    if iban:
        problem = forms.format_problem("iban", iban)
        if problem:
            problems.append(FieldProblem("/iban", problem, "format"))
        values["iban"] = iban
    return {k: v for k, v in values.items() if v is not None}, problems


def _changed_groups(row: User, values: dict[str, Any], held: dict[str, Any]) -> set[str]:
    """The groups of once-only data whose value the citizen changed (their date becomes today)."""
    changed = {group for group, column in (("email", "email"), ("phone", "phone"))
               if column in values and values[column] != getattr(row, column)}
    if "residence" in values and (values["residence"] or {}) != (row.residence or {}):
        changed.add("residence")
    old = row.held_data or {}
    changed |= {kind for kind in ("isee", "iban") if held.get(kind) != old.get(kind)}
    return changed


def _holds(row: User, group: str) -> bool:
    if group == "residence":
        return bool(row.residence)
    return applications.held_value(row, group) not in (None, "")


def update_profile(tenant: Tenant, user: User, formdata: Any) -> User:
    """Contacts, residence and domicile, ISEE and IBAN; birth data unless SPID/CIE asserted it. Each group of
    data the ente holds for the forms ("once only") keeps the day it was last changed here."""
    locked = identity_locked_fields(user)
    values: dict[str, Any] = {k: (formdata.get(k) or "").strip() or None for k in PROFILE_TEXT if k not in locked}
    for kind in ("residence", "domicile"):
        parts = {p: (formdata.get(f"{kind}.{p}") or "").strip() for p in ADDRESS_PARTS}
        values[kind] = {k: v for k, v in parts.items() if v} or None
    if any(formdata.get(k) not in (None, "") for k in locked):
        raise BadRequest("I dati ricevuti da SPID o CIE non si possono modificare.")
    held, held_problems = _held_values(formdata)
    problems = _profile_errors(values) + held_problems
    if problems:
        raise ValidationFailed(problems)
    with unit_of_work():
        row = db.session.get(User, user.id)
        if row is None or row.tenant_id != tenant.id:
            raise NotFound()
        changed = _changed_groups(row, values, held)
        for key, value in values.items():
            setattr(row, key, value)
        row.held_data = {**(row.held_data or {}), "isee": held.get("isee"), "iban": held.get("iban")}
        row.held_data = {k: v for k, v in row.held_data.items() if v is not None} or None
        emptied = {group for group in changed if not _holds(row, group)}  # a date for nothing would mislead
        row.data_provenance = {k: v for k, v in (row.data_provenance or {}).items() if k not in emptied} or None
        applications.mark_held(row, changed - emptied, applications.PROFILE_SOURCE)
        db.session.flush()
    return row


def parse_uuid_or_404(raw: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise NotFound() from exc
