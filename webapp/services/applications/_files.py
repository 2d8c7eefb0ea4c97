"""The files of a draft's form fields: checked, stored, kept across a step that has errors elsewhere,
replaced and removed.

A file the citizen chose is stored as soon as it is valid, even when another field of the step is
wrong: the page then shows it as already uploaded (its id travels in a hidden input) instead of
losing it. The draft's data only refers to it once the step is saved.
"""

from __future__ import annotations

from typing import Any

import forms
from webapp.extensions import db
from webapp.models import Application, Attachment, User
from webapp.services.common.errors import DomainError
from webapp.services.common.uploads import Upload, discard_attachment, sniff_type, store_attachment

KIND = "citizen_attachment"


def _draft_files(app: Application) -> dict[str, Attachment]:
    rows = db.session.scalars(db.select(Attachment).where(
        Attachment.tenant_id == app.tenant_id, Attachment.application_id == app.id))
    return {str(row.id): row for row in rows}


def field_files(app: Application, form: forms.Form, data: dict[str, Any]) -> dict[str, Attachment]:
    """The stored file behind each attachment field of the data."""
    ids = {name: str(data.get(name)) for name in forms.attachment_names(form, list(data))}
    if not ids:  # no file among the data: nothing to read
        return {}
    rows = _draft_files(app)
    return {name: rows[ref] for name, ref in ids.items() if ref in rows}


def known_values(app: Application, form: forms.Form, values: dict[str, Any]) -> dict[str, Any]:
    """The posted values, without a file id that is not one of this application's citizen files."""
    rows = _draft_files(app)
    files = set(forms.attachment_names(form, list(values)))
    return {name: value for name, value in values.items() if name not in files or (
        str(value) in rows and rows[str(value)].kind == KIND and rows[str(value)].message_id is None)}


def check_uploads(uploads: dict[str, Upload]) -> dict[str, str]:
    """Size and type by content, before anything is stored: pointer -> message."""
    errors = {}
    for name, upload in uploads.items():
        try:
            sniff_type(upload)
        except DomainError as exc:
            errors["/" + name] = exc.description
    return errors


def store_uploads(app: Application, user: User, uploads: dict[str, Upload], data: dict[str, Any]) -> None:
    """Store each upload of a field the data has (a field that no longer applies gets none): the field then
    holds the new file's id. Call inside the unit of work, with the application locked."""
    for name, upload in uploads.items():
        if name in data:
            data[name] = str(store_attachment(app, upload, user, KIND).id)


def discard_unused(app: Application, form: forms.Form, before: set[str], *datas: dict[str, Any]) -> None:
    """Delete the citizen's files in `before` that none of `datas` refers to any more (replaced or
    removed), so the office never receives a file the citizen took back."""
    used = {ref for data in datas for ref in form.attachment_fields(data)}
    for ref, row in _draft_files(app).items():
        if ref in before and ref not in used and row.kind == KIND and row.message_id is None:
            discard_attachment(row)


def refs(form: forms.Form, names: tuple[str, ...], *datas: dict[str, Any]) -> set[str]:
    """The file ids the attachment fields `names` hold in any of `datas`."""
    fields = forms.attachment_names(form, names)
    return {str(data[name]) for data in datas for name in fields if data.get(name)}
