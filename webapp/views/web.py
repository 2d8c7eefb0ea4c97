"""What every server-rendered page shares: CSRF, session login, language, security headers, tenant."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import Babel, get_locale, get_translations, gettext
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

import forms
from webapp.blueprints import load_tenant
from webapp.services import people, screens
from webapp.services.applications import Application, is_overdue
from webapp.services.common import ente_settings, formatting, statuses
from webapp.services.common.errors import DomainError, NotFound, ValidationFailed
from webapp.services.people import User

LANGUAGES = ("it", "en")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self' data:; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self' {checkout}; frame-ancestors 'none'; base-uri 'self'")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy() -> str:
    """Forms post to ourselves, and "Paga" redirects to the pagoPA checkout (form-action covers redirects)."""
    config = current_app.config
    checkout = config["PAGOPA_GPD_URL"] if config["PAYMENT_CONNECTOR"] == "demo" else config["PAGOPA_CHECKOUT_URL"]
    return CSP.format(checkout=_origin(checkout)).replace(" ;", ";")

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()


def select_locale() -> str:
    """Italian first; `?lang=en` switches for the rest of the session."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    return str(session.get("lang", "it"))


RENDER_STATUS_LABEL = "_status_label"  # a render's context: status labels in its language and catalogue
VISITOR = "_visitor"  # g: the login id and the person the tenant's loader found for it


def load_tenant_and_visitor(slug: str) -> None:
    """A page's tenant and, for a signed-in session, the person it stands for: one query, not three."""
    login_id = session.get("_user_id")  # Flask-Login's key
    found = people.tenant_and_visitor(slug, login_id, session.get(people.SESSION_KEY)) if login_id else None
    if found is None:
        load_tenant(slug)
    else:
        g.tenant, visitor = found
        setattr(g, VISITOR, (login_id, visitor))


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    """A session belongs to one tenant: on another tenant's pages the visitor is anonymous."""
    resolved = g.get(VISITOR)
    if resolved is not None and resolved[0] == login_id:
        return resolved[1]
    return people.user_of_session(login_id, g.get("tenant"), session.get(people.SESSION_KEY))


def status_label(code: int | None, app: Application | None = None) -> str:
    """A status's label in the page's language; with the application, its service's own codes (service.yaml
    `statuses`) are labelled as the service says."""
    return _status_text(code, app, str(get_locale() or "it"), gettext)


@pass_context
def render_status_label(context: Context, code: int | None, app: Application | None = None) -> str:
    """`status_label` for templates: with the language and catalogue of the render when it has them (a list
    labels every row), as `status_label` does otherwise (macros imported without context)."""
    labelled = context.get(RENDER_STATUS_LABEL)
    return labelled(code, app) if labelled is not None else status_label(code, app)


def _status_text(code: int | None, app: Application | None, language: str, translate: Callable[[str], str]) -> str:
    if code is None:
        return ""
    own = statuses.labels_of(app, language) if app else {}
    return own.get(code) or translate(statuses.label(code))


def sign_in(user: User) -> None:
    """A fresh session (nothing of the anonymous visit survives but the language), recorded on the server."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    session[people.SESSION_KEY] = people.open_session(user)
    login_user(user)


def sign_out() -> None:
    """Ends this session on the server too: a copy of the cookie is worth nothing afterwards."""
    language = session.get("lang")
    people.close_session(session.get(people.SESSION_KEY))
    logout_user()
    session.clear()
    if language:
        session["lang"] = language


# Pages with someone's personal data that reach them without a login: the booker's appointment link and
# the booking steps after the first. Everything a signed-in person sees is personal too.
PERSONAL_PATHS = ("/prenota-appuntamento/", "/appuntamenti/")
HSTS = "max-age=31536000; includeSubDomains"


def _is_personal() -> bool:
    if request.endpoint == "static" or request.blueprint == "health":  # no session lookup (no I/O)
        return False
    if request.blueprint in ("api", "backoffice") or current_user.is_authenticated:
        return True
    return any(part in request.path for part in PERSONAL_PATHS)


def security_headers(response: Response) -> Response:
    if _is_personal():  # never kept in shared caches or the browser's back-forward cache
        response.headers["Cache-Control"] = "no-store"
    if current_app.config["SECURE_COOKIES"]:  # the site is served over HTTPS only
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def safe_return(raw: str | None, prefix: str, default: str) -> str:
    """The one open-redirect guard: a return address (`next`) only inside `prefix` on this site. Control
    characters (a CR/LF would split the Location header) are a 400, not a silent redirect."""
    if not raw:
        return default
    if any(ord(char) < 32 or ord(char) == 127 for char in raw):
        abort(400, gettext("L'indirizzo di ritorno non è valido."))
    parts = urlsplit(raw)
    if (raw.startswith("//") or "\\" in raw or parts.scheme or parts.netloc
            or not (parts.path + "/").startswith(prefix)):
        return default
    return raw


def refuse_bad_text() -> None:
    """Posted text that pages and exports could not show (NUL; lone surrogates arrive as U+FFFD from
    werkzeug's decoding, but a file's name is checked too) is refused before any view keeps it."""
    if request.method != "POST" or request.blueprint in ("api", "webhooks"):
        return
    fields = [(name, value) for name, values in request.form.lists() for value in values]
    fields += [(name, upload.filename or "") for name, uploads in request.files.lists() for upload in uploads]
    for name, value in fields:
        problem = forms.text_problem(name) or forms.text_problem(value)  # field names are ours: never shown
        if problem:
            abort(400, gettext("%(problem)s Torna alla pagina precedente, correggi il testo e invia di nuovo.",
                               problem=gettext(problem)))


def blank_none(value: Any) -> Any:
    """What `{{ value }}` prints: nothing for None (Jinja would print "None", which a form then posts back)."""
    return "" if value is None else value


def refuse_bad_address(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """NUL (or text that is not Unicode) in the address, path or query, is a 400 before anything looks it
    up: the database refuses to compare with it, so the lookup of a tenant, a slug or a filter would fail."""
    parts = [request.path, *(text for pair in request.args.items(multi=True) for text in pair)]
    problem = next((found for found in map(forms.text_problem, parts) if found), None)
    if problem:
        abort(400, gettext(problem))


def ente_link(kind: str) -> str | None:
    """The address of the ente's FAQ, assistance or report link (its settings), or None: left out of the page."""
    tenant = g.get("tenant")
    target = ente_settings.link_target(tenant, kind)
    if target is None:
        return None
    what, value = target
    return value if what == "url" else url_for("citizen.service", tenant=tenant.slug, slug=value)


def template_globals() -> dict[str, Any]:
    return {"tenant": g.get("tenant"), "languages": LANGUAGES, "get_locale": get_locale, "ente_link": ente_link,
            **render_translations()}


def render_translations() -> dict[str, Any]:
    """Jinja's gettext callables bound to the catalogue of this render.

    Flask-Babel's own look up the request's domain, locale and catalogue again for every string (about
    thirty calls through `g` each, and a page has dozens of strings); within one render the catalogue
    cannot change (`force_locale` wraps whole renders), so it is taken once, here. They behave as
    Jinja's newstyle callables do: Markup under autoescape, and always a %-format, with `num` for plurals.
    Macros imported without context keep Flask-Babel's callables: slower, the same text."""
    catalogue = get_translations()
    singular_of, plural_of = catalogue.ugettext, catalogue.ungettext

    @functools.cache  # asked for by the first status label only: most renders have none
    def language() -> str:
        return str(get_locale() or "it")

    @pass_context
    def translate(context: Context, text: str, **variables: Any) -> str:
        return _formatted(context, singular_of(text), variables)

    @pass_context
    def translate_plural(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return _formatted(context, plural_of(singular, plural, num), variables)

    def label_status(code: int | None, app: Application | None = None) -> str:
        return _status_text(code, app, language(), singular_of)

    return {"gettext": translate, "_": translate, "ngettext": translate_plural, RENDER_STATUS_LABEL: label_status}


def _formatted(context: Context, found: str, variables: dict[str, Any]) -> str:
    # The catalogue's text is ours, so under autoescape it is markup; Markup's % escapes the variables.
    return (Markup(found) if context.eval_ctx.autoescape else found) % variables  # noqa: S704


def init_web(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config["SESSION_COOKIE_SECURE"] = app.config["SECURE_COOKIES"]
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SECURE_COOKIES"]
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # a long form may stay open for hours; the token is per session
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.url_value_preprocessor(refuse_bad_address)  # before the blueprints' own, which load the tenant
    app.before_request(refuse_bad_text)
    app.after_request(security_headers)
    app.context_processor(template_globals)
    app.jinja_env.filters.update(formatting.FILTERS)
    app.jinja_env.filters["overdue"] = is_overdue  # open past its latest completion date: the "In ritardo" badge
    app.jinja_env.filters["action_label"] = lambda action: gettext(statuses.action_label(action))
    app.jinja_env.finalize = blank_none


def submit_task_page(user: User, app_id: str, task_id: str, version: int | None, template: str,
                     done: str, done_text: str, done_page: str | None = None) -> BaseResponse | tuple[str, int]:
    """A posted task form, the same for the back office and the Area personale: completed (to `done_page`
    if given, else back to the application with `done_text`), or the form again with its errors next to
    the fields (422)."""
    try:
        screens.submit_task(g.tenant, user, app_id, task_id, request.form, request.files, version)
    except ValidationFailed as error:
        page = screens.posted_task(g.tenant, user, app_id, task_id, request.form, error)
        return render_template(template, page=page, app=page.task.row.application), 422
    except NotFound:
        raise
    except DomainError as error:
        flash(error.description, "error")
        return redirect(url_for(done, app_id=app_id))
    if done_page:
        return redirect(done_page)
    flash(done_text, "success")
    return redirect(url_for(done, app_id=app_id))
