"""Form definitions of process bundles and the server-side validation of task completions.

`definition` loads and checks the JSON of `forms/<task_id>.json` (refused at deployment, with every
problem listed); `api` renders a loaded form for the API and the UI; `validation` checks a completion
against a loaded form with marshmallow.
"""

from engine.forms.api import form_to_api
from engine.forms.definition import (
    CONDITION_TYPES,
    FORMAT,
    TYPES,
    FormDefinition,
    FormField,
    Option,
    check_definition,
    parse_definition,
)
from engine.forms.validation import check_submission, validate_submission

__all__ = [
    "CONDITION_TYPES",
    "FORMAT",
    "TYPES",
    "FormDefinition",
    "FormField",
    "Option",
    "check_definition",
    "check_submission",
    "form_to_api",
    "parse_definition",
    "validate_submission",
]
