"""N_(): marks a text of the domain for translation without translating it here.

The domain stays free of Flask: its labels and messages are English strings, found by the
catalogue's extraction (keyword N_) and translated where they are shown (`_()` in the
templates, i18n.describe for refusals). N_ returns a `Text`, a str that says so: a refusal's
values that are Texts are translated too; anything else (a code, a date) is shown as it is."""

from __future__ import annotations


class Text(str):
    """A string that is a catalogue entry (translate it where it is shown). A filled one
    (`N_("… %(day)s").fill(day=…)`) reads as the English text and keeps its template and
    values, so that it can be translated with its values."""

    template: str | None = None
    values: dict | None = None
    context: str | None = None  # a catalogue context, where one English word has two senses

    def fill(self, **values) -> Text:
        filled = Text(self % values)
        filled.template, filled.values = str(self), values
        return filled


def N_(text: str) -> Text:  # noqa: N802  the conventional name of the marker
    return Text(text)


def NP_(context: str, text: str) -> Text:  # noqa: N802  N_ with a context (pgettext)
    """A catalogue entry whose English is shared by another sense: "Directive" the kind of
    document (Chỉ thị) is NP_("kind", "Directive"); "Directive" any document is N_()."""
    marked = Text(text)
    marked.context = context
    return marked


# Field names as people read them, for refusals that name a field.
FIELD_LABELS = {
    "code": N_("Code"),
    "code_prefix": N_("Code prefix"),
    "confidentiality": N_("Confidentiality"),
    "coordinating_units": N_("Coordinating units"),
    "days_after_period_end": N_("Days after period end"),
    "deadline": N_("Deadline"),
    "frequency": N_("Frequency"),
    "kind": N_("Kind"),
    "lead_unit": N_("Lead unit"),
    "parent": N_("Parent"),
    "recorded_on": N_("Recorded on"),
    "role": N_("Role"),
    "target": N_("Target"),
    "title": N_("Title"),
    "unit": N_("Unit"),
    "username": N_("Username"),
    "value": N_("Value"),
    "visibility": N_("Visibility"),
    "weight": N_("Weight"),
}


def field_label(name: str) -> str:
    """The field as people read it (a Text when the catalogue has it)."""
    return FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()
