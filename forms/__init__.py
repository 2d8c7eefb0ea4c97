"""JSON-schema forms: load and check form documents, validate data with Italian messages.

A form document is {"title", "schema" (draft 2020-12, object), "ui" {"steps", "widgets", "help"}}.
This package imports nothing else of ours; the web layer renders what it returns.
"""

from forms._definition import Form, FormDefinitionError, Step, form_from_document, load_form
from forms._display import SummaryRow, SummarySection, date_text, number_text, summarise, value_text
from forms._errors import FieldError
from forms._formats import FORMATS

__all__ = [
    "FORMATS",
    "FieldError",
    "Form",
    "FormDefinitionError",
    "Step",
    "SummaryRow",
    "SummarySection",
    "date_text",
    "form_from_document",
    "load_form",
    "number_text",
    "summarise",
    "value_text",
]
