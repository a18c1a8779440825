"""Entry point of `flask --app app` and of gunicorn (`app:app`)."""

from tracker import create_app

app = create_app()
