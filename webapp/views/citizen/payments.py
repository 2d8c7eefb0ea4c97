"""Area personale → Pagamenti: what is due and what is paid; pay up to 5 notices together; stamps."""

from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import applications, outbound
from webapp.services.common import localtime, uploads
from webapp.services.common.errors import DomainError, NotFound, ValidationFailed
from webapp.views.citizen._common import citizen_required, me
from webapp.views.citizen.blueprint import bp

RETURN_MESSAGES = {
    "ok": ("info", "Grazie: l'esito del pagamento ti sarà confermato appena pagoPA invia la ricevuta."),
    "annullato": ("warning", "Pagamento annullato: puoi riprovare quando vuoi."),
    "errore": ("error", "Il pagamento non è andato a buon fine: puoi riprovare o pagare con l'avviso."),
}


def _day_arg(name: str) -> date | None:
    return localtime.parse_day(request.args.get(name))


@bp.get("/area-personale/pagamenti")
@citizen_required
def personal_payments() -> str:
    outcome = RETURN_MESSAGES.get(request.args.get("esito", ""))
    if outcome:
        flash(_(outcome[1]), outcome[0])
    rows = outbound.list_payments(g.tenant, me(), _day_arg("dal"), _day_arg("al"))
    due = [p for p in rows if p.status == "PAYMENT_PENDING"]
    done = [p for p in rows if p.status != "PAYMENT_PENDING"]
    # Back from pagoPA with the payment made: the payment flow ends here, with the rating (C.SE.1.7).
    return render_template("citizen/area/pagamenti.html", tab="pagamenti", due=due, done=done,
                           since=request.args.get("dal", ""), until=request.args.get("al", ""),
                           paid_now=request.args.get("esito") == "ok")


@bp.post("/area-personale/pagamenti/paga")
@citizen_required
def pay() -> Response:
    chosen = request.form.getlist("avviso")
    back = url_for("citizen.personal_payments", _external=True)
    try:
        return redirect(outbound.checkout_url(g.tenant, me(), chosen, back), code=303)
    except DomainError as exc:
        flash(exc.description, "error")
        return redirect(url_for("citizen.personal_payments"), code=303)


@bp.get("/area-personale/pagamenti/<payment_id>/avviso.pdf")
@citizen_required
def notice(payment_id: str) -> Response:
    payment = outbound.get_payment(g.tenant, me(), payment_id)
    return uploads.download(outbound.notice_pdf(g.tenant, payment), "application/pdf",
                            f"avviso-{payment.notice_number}.pdf")


@bp.get("/area-personale/pagamenti/<payment_id>/ricevuta.pdf")
@citizen_required
def receipt(payment_id: str) -> Response:
    payment = outbound.get_payment(g.tenant, me(), payment_id)
    if payment.user_id != me().id:
        raise NotFound()  # the citizen's own only, whoever else may read it elsewhere
    return uploads.download(outbound.receipt_pdf(g.tenant, payment), "application/pdf",
                            f"ricevuta-{payment.notice_number}.pdf")


@bp.post("/area-personale/pagamenti/<payment_id>/marca")
@citizen_required
def stamp(payment_id: str) -> Response:
    try:
        applications.provide_stamp(g.tenant, me(), payment_id, request.form.get("identificativo", ""),
                                     request.form.get("data_emissione", ""))
    except ValidationFailed as exc:
        flash("; ".join(e.message for e in exc.errors), "error")
    except DomainError as exc:
        flash(exc.description, "error")
    else:
        flash(_("Marca da bollo registrata."), "success")
    return redirect(url_for("citizen.personal_payments"), code=303)
