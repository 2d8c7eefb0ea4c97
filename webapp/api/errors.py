"""The one mapping from domain errors (and HTTP errors) to the API error shape."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from webapp.services.errors import DomainError, ValidationFailed


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
            "errors": [{"pointer": e.pointer, "message": e.message, "code": e.code} for e in exc.errors],
        }
        response = jsonify(body)
        response.status_code = exc.status
        return response
    return error_response(exc.status, exc.title, exc.description, exc.type, **exc.extra)


def http_error(exc: HTTPException) -> Response:
    if isinstance(exc, RequestEntityTooLarge):
        return error_response(413, "Contenuto troppo grande", "La richiesta supera la dimensione massima.")
    return error_response(exc.code or 500, exc.name, exc.description or exc.name)


def is_api_request() -> bool:
    """The REST API and the webhooks answer in JSON; pages get HTML."""
    parts = request.path.strip("/").split("/")
    return len(parts) >= 2 and parts[1] in ("api", "webhooks")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_error)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response | tuple[str, int]:
        if is_api_request():
            return http_error(exc)
        return render_template("error.html", code=exc.code, title=exc.name, text=exc.description), exc.code or 500

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response | tuple[str, int]:
        # A bug, not bad input: logged with its traceback (no request data), answered in the API shape.
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        if not is_api_request():
            return render_template("error.html", code=500, title="Errore interno", text=None), 500
        return error_response(500, "Errore interno", "Si è verificato un errore imprevisto; riprova più tardi.")
