"""The rating component's two requests: the follow-up for a score (htmx) and the answer itself.

Without JavaScript the component is a plain form showing both follow-up lists; htmx only reveals
the one that fits the stars chosen.
"""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request

from webapp.services import catalogue
from webapp.services.common.errors import ValidationFailed
from webapp.views.citizen._common import safe_next
from webapp.views.citizen.blueprint import bp


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


@bp.get("/valutazione/seguito")
def rating_followup() -> tuple[str, int]:
    return _render("citizen/_rating_followup.html", score=catalogue.parse_score(request.args.get("score")),
                   show_all=False, chosen=[])


@bp.post("/valutazione")
def rating_submit() -> tuple[str, int]:
    service = (request.form.get("service") or "")[:200]
    flow = (request.form.get("flow") or "invio")[:32]
    back = safe_next(request.form.get("next"), f"/{g.tenant.slug}/servizi")
    fragment = request.headers.get("HX-Request") == "true"
    try:
        catalogue.record(g.tenant, service, request.form.get("score"), request.form.getlist("answers"),
                        request.form.get("comment") or "", flow)
    except ValidationFailed as exc:
        errors = {problem.pointer.strip("/"): problem.message for problem in exc.errors}
        return _render("citizen/_rating.html" if fragment else "citizen/rating.html", 400, errors=errors,
                       service_slug=service, flow=flow, back=back, values=request.form)
    return _render("citizen/_rating_thanks.html" if fragment else "citizen/rating.html", thanked=True,
                   back=back, service_slug=service, flow=flow)
