"""Moments, days, numbers and money as people read them, the same in pages, e-mails, PDFs and exports.

Moments are shown on the offices' clock (`localtime`); numbers in the Italian way (`forms.number_text`).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from babel.dates import format_date
from flask_babel import get_locale, gettext, ngettext

import forms
from webapp.services.common import localtime


def datetime_text(moment: datetime | None) -> str:
    """A stored moment, 2026-03-29 00:30 UTC -> "29/03/2026 01:30"."""
    return "" if moment is None else localtime.local(moment).strftime("%d/%m/%Y %H:%M")


def date_text(value: datetime | date | str | None) -> str:
    """A day: a stored moment counts on the offices' day, a calendar date (or ISO text) as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = localtime.local_day(value)
    return forms.date_text(value)


def time_text(value: datetime | time | None) -> str:
    """The hour of a moment (on the offices' clock) or a wall-clock time: "09:30"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = localtime.local(value).time()
    return value.strftime("%H:%M")


def long_datetime_text(moment: datetime, locale: str | None = None) -> str:
    """As people say it, in the page's language: "lunedì 30 marzo 2026, 09:30"."""
    local = localtime.local(moment)
    language = locale or str(get_locale() or "it")
    return f"{format_date(local.date(), 'EEEE d MMMM y', locale=language)}, {local:%H:%M}"


def number_text(value: int | float | Decimal | None, decimals: int | None = None) -> str:
    return "" if value is None else forms.number_text(value, decimals=decimals)


def euro_text(cents: int | None) -> str:
    """An amount in cents, 850050 -> "€ 8.500,50"."""
    if cents is None:
        return ""
    return "€ " + forms.number_text(Decimal(cents).scaleb(-2), decimals=2)


def iban_text(value: str | None) -> str:
    """An IBAN as it is printed, in groups of four: "IT60 X054 2811 1010 0000 0123 456"."""
    compact = (value or "").replace(" ", "").upper()
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def size_text(size: int | None) -> str:
    """A file's size: "850 byte", "12,3 KB", "1,2 MB"."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{forms.number_text(round(size / 1024, 1))} KB"
    return f"{forms.number_text(round(size / (1024 * 1024), 1))} MB"


def age_text(moment: datetime | None, now: datetime) -> str:
    """How long something has waited, in words: "meno di un'ora", "5 ore", "3 giorni"."""
    if moment is None:
        return ""
    seconds = (localtime.aware(now) - localtime.aware(moment)).total_seconds()
    hours = int(seconds // 3600)
    if hours < 1:
        return gettext("meno di un'ora")
    if hours < 48:
        return ngettext("%(num)d ora", "%(num)d ore", hours)
    return ngettext("%(num)d giorno", "%(num)d giorni", hours // 24)


# The Jinja filters of every template (pages, e-mails, the ente's own e-mail texts).
FILTERS = {"datetime": datetime_text, "date": date_text, "time": time_text, "long_datetime": long_datetime_text,
           "number": number_text, "euro": euro_text, "iban": iban_text, "filesize": size_text, "age": age_text}
