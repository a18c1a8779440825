"""The WSGI application of an installed package: `gunicorn tracker.wsgi:app` and
`flask --app tracker.wsgi` (a checkout also has app.py, which does the same)."""

from . import create_app

app = create_app()
