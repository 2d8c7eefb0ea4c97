"""The simulator's Checkout pages, in Italian."""

from __future__ import annotations

from html import escape
from typing import Any

from connectors.payments.contrib.pagopa.avviso import format_euro
from connectors.payments.contrib.pagopa.notice import format_notice_number

SUCCESS_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"

_STYLE = ("body{font-family:'Titillium Web',Arial,sans-serif;max-width:46rem;margin:2rem auto;color:#17324d}"
          "table{width:100%;border-collapse:collapse}td,th{padding:.4rem;border-bottom:1px solid #ccc;"
          "text-align:left}.tot{font-weight:bold}.err{color:#a00;font-weight:bold}.ok{color:#080}"
          "label{display:block;margin-top:.6rem}button{margin-top:1rem;padding:.5rem 1rem}")


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="it"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body><header><strong>pagoPA</strong> · Checkout "
            f"(simulatore)</header><main><h1>{escape(title)}</h1>{body}</main></body></html>")


def _rows(notices: list[dict[str, Any]]) -> str:
    return "".join(
        f"<tr><td>{escape(format_notice_number(n['noticeNumber']))}</td><td>{escape(n['companyName'])}</td>"
        f"<td>{escape(n['description'])}</td><td>€ {format_euro(int(n['amount']))}</td></tr>" for n in notices)


def cart_page(cart: dict[str, Any], commission_cents: int, *, error: str | None = None) -> str:
    notices = cart["paymentNotices"]
    total = sum(int(n["amount"]) for n in notices) + commission_cents
    email = escape(cart.get("emailNotice") or "")
    alert = f'<p class="err" role="alert">{escape(error)}</p>' if error else ""
    body = f"""{alert}
<p>Stai pagando {len(notices)} avvis{"o" if len(notices) == 1 else "i"} con un'unica commissione.</p>
<table><thead><tr><th>Codice avviso</th><th>Ente creditore</th><th>Oggetto</th><th>Importo</th></tr></thead>
<tbody>{_rows(notices)}
<tr><td colspan="3">Commissione (unica per tutti gli avvisi)</td><td>€ {format_euro(commission_cents)}</td></tr>
<tr class="tot"><td colspan="3">Totale</td><td>€ {format_euro(total)}</td></tr></tbody></table>
<form method="post" action="/checkout/c/{escape(cart['id'])}/pay">
<label>Numero della carta <input name="card_number" inputmode="numeric" autocomplete="cc-number" required></label>
<label>Scadenza (MM/AA) <input name="expiry" placeholder="12/30" required></label>
<label>Codice di sicurezza (CVV) <input name="cvv" inputmode="numeric" required></label>
<label>E-mail per ricevere l'esito <input name="email" type="email" value="{email}" required></label>
<button type="submit">Paga € {format_euro(total)}</button></form>
<form method="post" action="/checkout/c/{escape(cart['id'])}/cancel"><button type="submit">Annulla</button></form>
<p><small>Carte di prova: 4242 4242 4242 4242 (pagamento riuscito), 4000 0000 0000 0002 (pagamento
rifiutato).</small></p>"""
    return _page("Paga con pagoPA", body)


def message_page(title: str, message: str, *, link: str | None = None, ok: bool = False) -> str:
    css = "ok" if ok else "err"
    back = f'<p><a href="{escape(link)}">Torna al sito dell\'ente</a></p>' if link else ""
    return _page(title, f'<p class="{css}">{escape(message)}</p>{back}')
