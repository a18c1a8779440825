"""A person's background jobs: the list of their files, one job's page (its progress bar
while it runs, the link once done, the reason if it failed; a finished close goes on to its
closed report), its state as JSON for that page's progress bar, and the finished file,
served only to the person who asked and admins."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...infra import i18n
from ...jobs import close_jobs, records, report_jobs
from ...models import Job
from ...models.job import DONE, FAILED, QUEUED
from ..downloads import job_file_response

bp = Blueprint("jobs", __name__)


def _visible(job_id: int) -> Job:
    """The job, if it is the reader's to see (another person's job is as if missing)."""
    job = records.visible_to(current_user, job_id)
    if job is None:
        abort(404, _("There is no such file."))
    return job


def state_words(job: Job) -> str:
    """The job's state as a person reads it."""
    if job.status == QUEUED:
        return _("Waiting for a worker…")
    if job.status == DONE:
        return _("Closed.") if job.kind == "close" else _("Ready.")
    if job.status == FAILED:
        return _("Failed.")
    if job.kind == "close":
        return _("Closing the period: its figures and every task are being frozen…")
    if job.progress_total:
        done, total = i18n.format_figure(job.progress_done), i18n.format_figure(job.progress_total)
        if job.kind == "import":
            return _("%(done)s of %(total)s rows tried", done=done, total=total)
        return _("%(done)s of %(total)s rows written", done=done, total=total)
    return _("Reading the data…")


@bp.route("/jobs")
@login_required
def my_jobs():
    jobs = records.of_user(current_user)
    return render_template("jobs/list.html", jobs=jobs, state_words=state_words)


@bp.route("/jobs/<int:job_id>")
@login_required
def job_page(job_id: int):
    job = _visible(job_id)
    closed = close_jobs.closing_id(job) if job.kind == "close" and job.status == DONE else None
    if closed is not None:  # a close is done: its page is the closed report
        flash(i18n.translated(close_jobs.closed_words(job)), "success")
        return redirect(url_for("reports.closed_period", closing_id=closed))
    kept = report_jobs.file_of(job) is not None if job.status == DONE else False
    return render_template("jobs/job.html", job=job, kept=kept, words=state_words(job))


@bp.route("/jobs/<int:job_id>/state")
@login_required
def job_state(job_id: int):
    job = _visible(job_id)
    return jsonify(
        status=job.status,
        finished=job.finished,
        done=job.progress_done,
        total=job.progress_total,
        progress=round(job.progress, 4),
        words=state_words(job),
    )


@bp.route("/jobs/<int:job_id>/file")
@login_required
def job_file(job_id: int):
    job = _visible(job_id)
    return job_file_response(job, report_jobs.kept_file(job))
