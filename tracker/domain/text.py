"""N_(): marks a label of the domain for translation without translating it here.

The domain stays free of Flask: its labels are English strings, found by the catalogue's
extraction (keyword N_) and translated where they are shown (`_()` in the templates)."""


def N_(text: str) -> str:  # noqa: N802  the conventional name of the marker
    return text
