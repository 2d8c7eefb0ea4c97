"""Confirmation before an irreversible act: the same question as a dialog (with JavaScript) or as a page
(without). The act's form carries confirm=1 and the view acts only then: a bare POST, a link opened
without JavaScript or a stale page never act at once, they show the question."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template, request


@dataclass(frozen=True)
class Confirmation:
    title: str
    text: str
    submit: str  # the confirming button, named after the act
    action: str  # the URL the confirmed form posts to
    page: str  # the same question as a page: where the dialog's trigger leads without JavaScript
    back: str  # where "Torna indietro" leads on the page
    fields: dict[str, str] = field(default_factory=dict)  # hidden inputs of the act
    message_label: str | None = None  # a text box for the person the act is about, when they are told
    danger: bool = True


def confirmed() -> bool:
    return request.method == "POST" and request.form.get("confirm") == "1"


def confirmation_page(confirmation: Confirmation, section: str) -> str:
    return render_template("backoffice/confirm.html", c=confirmation, section=section)
