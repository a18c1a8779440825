"""Entry point of `flask --app app`, of gunicorn (`app:app`) and of the Celery worker and
scheduler (`celery --app app.celery_app worker|beat`, with JOBS_BROKER_URL set)."""

from tracker.wsgi import app, celery_app

__all__ = ["app", "celery_app"]
