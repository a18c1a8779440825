"""The WSGI application of an installed package, `gunicorn tracker.wsgi:app` and
`flask --app tracker.wsgi`, and its Celery application, `celery --app
tracker.wsgi.celery_app worker|beat` (a checkout also has app.py, which names the same)."""

from . import create_app
from .jobs.celery_app import make_celery

app = create_app()
celery_app = app.extensions.get("celery") or make_celery(app)
