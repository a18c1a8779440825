"""The language a request is served in: the user's choice (kept on their account; before
login, in the session), else the best match of the browser's Accept-Language, else
DEFAULT_LANGUAGE. Flask-Babel is set up here with that choice and the catalogues of
infra/i18n.py."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import Babel
from flask_login import current_user

from ..infra.i18n import LANGUAGES, TRANSLATIONS_DIR

babel = Babel()


def choose_language() -> str:
    """The language of the current request (see the module docstring)."""
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or current_app.config["DEFAULT_LANGUAGE"]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel.init_app(app, locale_selector=choose_language)
