"""The one mapping from domain errors (and HTTP errors) to the API error shape."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from webapp.services.common.errors import DomainError, ValidationFailed
from webapp.services.common.statuses import N_

MAX_REPORTED_ERRORS = 50  # enough to fix a form; a document of a million wrong keys gets no longer answer

# werkzeug's own texts are English: people read these instead (title, description).
HTTP_TEXTS: dict[int, tuple[str, str]] = {
    400: (N_("Richiesta non valida"), N_("La richiesta non è valida.")),
    401: (N_("Accesso richiesto"), N_("Per continuare devi accedere.")),
    403: (N_("Accesso non consentito"), N_("Non hai i permessi per questa pagina o operazione.")),
    404: (N_("Non trovato"), N_("La pagina o la risorsa richiesta non esiste o non è più disponibile.")),
    405: (N_("Metodo non consentito"), N_("Questo indirizzo non accetta il metodo usato.")),
    409: (N_("Conflitto"), N_("L'operazione non è possibile nello stato attuale.")),
    413: (N_("Contenuto troppo grande"), N_("La richiesta supera la dimensione massima.")),
    415: (N_("Tipo di contenuto non supportato"), N_("Il formato inviato non è accettato.")),
    429: (N_("Troppe richieste"), N_("Hai fatto troppe richieste: riprova tra poco.")),
}
GENERIC_TEXT = (N_("Richiesta non riuscita"), N_("Non è stato possibile completare la richiesta."))


def http_texts(exc: HTTPException) -> tuple[str, str]:
    """Title and description in the page's language; a description given on purpose (abort(400, "..."))
    is kept, werkzeug's English default never."""
    title, description = HTTP_TEXTS.get(exc.code or 500, GENERIC_TEXT)
    own = exc.description if exc.description and exc.description != type(exc).description else None
    return gettext(title), own or gettext(description)


def error_response(status: int, title: str, description: str, type_: str = "error",
                   **extra: Any) -> Response:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "description": description}
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    return response


def domain_error(exc: DomainError) -> Response | tuple[str, int]:
    if not is_api_request():  # pages handle the errors they expect; anything else gets the error page
        return render_template("error.html", code=exc.status, title=exc.title, text=exc.description), exc.status
    if isinstance(exc, ValidationFailed):
        body = {
            "type": exc.type, "title": exc.title, "status": exc.status,
            "errors": [{"pointer": e.pointer, "message": e.message, "code": e.code}
                       for e in exc.errors[:MAX_REPORTED_ERRORS]],
        }
        response = jsonify(body)
        response.status_code = exc.status
        return response
    response = error_response(exc.status, exc.title, exc.description, exc.type, **exc.extra)
    if exc.extra.get("retry_after"):
        response.headers["Retry-After"] = str(exc.extra["retry_after"])
    return response


def http_error(exc: HTTPException) -> Response:
    title, description = http_texts(exc)
    return with_exception_headers(error_response(exc.code or 500, title, description), exc)


def with_exception_headers(response: Response, exc: HTTPException) -> Response:
    """The headers the error itself prescribes, kept in our own answer: `Allow` on a 405 (the methods
    the address takes), `Retry-After`, `WWW-Authenticate`. The body (and its type) is ours."""
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def is_api_request() -> bool:
    """The REST API and the webhooks answer in JSON; pages get HTML."""
    parts = request.path.strip("/").split("/")
    return len(parts) >= 2 and parts[1] in ("api", "webhooks")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_error)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        if is_api_request():
            return http_error(exc)
        title, description = http_texts(exc)
        page = render_template("error.html", code=exc.code, title=title, text=description)
        return with_exception_headers(Response(page, status=exc.code or 500, mimetype="text/html"), exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response | tuple[str, int]:
        # A bug, not bad input: logged with its traceback (no request data), answered in the API shape.
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        if not is_api_request():
            return render_template("error.html", code=500, title="Errore interno", text=None), 500
        return error_response(500, "Errore interno", "Si è verificato un errore imprevisto; riprova più tardi.")
