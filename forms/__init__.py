"""JSON-schema forms: load and check form documents, validate data with Italian messages.

A form document is {"title", "schema" (draft 2020-12, object), "ui" {"steps", "widgets", "help"}}.
This package imports nothing else of ours; the web layer renders what it returns.
"""

from forms._definition import Form, FormDefinitionError, Step, form_from_document, load_form
from forms._display import SummaryRow, SummarySection, date_text, number_text, summarise, value_text
from forms._errors import FieldError
from forms._formats import FORMATS, format_problem
from forms._hygiene import bad_values, text_problem
from forms._profile import HELD_KINDS, IDENTITY_KINDS, PROFILE_KEYWORD, PROFILE_KINDS
from forms._render import (
    FieldView,
    FormValues,
    Posted,
    PostedFile,
    PostedFiles,
    Upload,
    attachment_names,
    build_fields,
    conditional_fields,
    expand_errors,
    parse_step,
    placeholder_id,
    required_fields,
)

__all__ = [
    "FORMATS",
    "HELD_KINDS",
    "IDENTITY_KINDS",
    "PROFILE_KEYWORD",
    "PROFILE_KINDS",
    "FieldError",
    "FieldView",
    "Form",
    "FormDefinitionError",
    "FormValues",
    "Posted",
    "PostedFile",
    "PostedFiles",
    "Step",
    "SummaryRow",
    "SummarySection",
    "Upload",
    "attachment_names",
    "bad_values",
    "build_fields",
    "conditional_fields",
    "date_text",
    "expand_errors",
    "form_from_document",
    "format_problem",
    "load_form",
    "number_text",
    "parse_step",
    "placeholder_id",
    "required_fields",
    "summarise",
    "text_problem",
    "value_text",
]
