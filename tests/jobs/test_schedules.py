"""The scheduler's timetable from the SCHEDULE_* settings (local times of TRACKER_TIMEZONE),
refused when mistyped, and the scheduled work idempotent with the cron commands beside it."""

from datetime import timedelta

import pytest
from celery.schedules import crontab

from tracker.config import ConfigError, load_config
from tracker.domain.schedules import Schedule, parse_schedule
from tracker.jobs.celery_app import make_celery, timetable

from ..work.test_reminders import smtp_server

DAY = timedelta(days=1)


def test_a_schedule_is_a_time_of_day_or_every_few_minutes():
    assert parse_schedule("07:00") == Schedule(times=((7, 0),))
    assert parse_schedule(" 18:30, 6:05 ") == Schedule(times=((6, 5), (18, 30)))
    assert parse_schedule("Every 10 minutes") == Schedule(minutes=10)
    for wrong in ("24:00", "7h", "every 0 minutes", "", "07:00;08:00", "mỗi 10 phút"):
        with pytest.raises(ValueError):
            parse_schedule(wrong)


def test_a_mistyped_schedule_stops_the_start_naming_the_setting(monkeypatch):
    monkeypatch.setenv("SCHEDULE_DIGEST", "7 giờ sáng")
    with pytest.raises(ConfigError, match="SCHEDULE_DIGEST"):
        load_config()


def test_the_timetable_runs_the_daily_work_at_local_times(app, monkeypatch):
    monkeypatch.setenv("SCHEDULE_REMINDERS", "06:45")
    monkeypatch.setenv("SCHEDULE_NOTIFICATIONS", "every 5 minutes")
    config = load_config({"TRACKER_TIMEZONE": "Asia/Ho_Chi_Minh"})
    entries = timetable(config)
    assert entries["reminders-0645"]["task"] == "tracker.reminders"
    assert entries["reminders-0645"]["schedule"] == crontab(hour=6, minute=45)
    assert entries["digest-0715"]["schedule"] == crontab(hour=7, minute=15)
    assert entries["recurring-0030"]["schedule"] == crontab(hour=0, minute=30)
    assert entries["notifications"]["schedule"] == timedelta(minutes=5)
    assert entries["requeue-stale-jobs"]["schedule"] == timedelta(minutes=1)
    celery = make_celery(app)
    assert celery.conf.timezone == "Asia/Ho_Chi_Minh"
    # Every entry names a task the worker knows.
    assert {entry["task"] for entry in celery.conf.beat_schedule.values()} <= set(celery.tasks)


@pytest.fixture
def mailbox(app, data_app, monkeypatch):
    with smtp_server(monkeypatch, (app, data_app)) as handler:
        yield handler


def test_the_scheduler_and_cron_together_send_each_reminder_once(
    data_app, mailbox, make, org, today
):
    leader = make.user("unit_leader", org["institute"], email="truong.phong@ins.gov.vn")
    owner = make.user("officer", org["institute"], email="chuyen.vien@ins.gov.vn")
    make.task(org["institute"], deadline=today + 7 * DAY, owner=owner, code="NV 04")
    scheduled = make_celery(data_app).tasks["tracker.reminders"]
    assert "2 sent" in scheduled()  # as celery beat has a worker run it
    cron = data_app.test_cli_runner().invoke(args=["reminders", "send"])
    assert "0 sent, 2 already sent" in cron.output
    assert "0 sent" in scheduled()
    assert len(mailbox.to(owner.email)) == 1
    assert len(mailbox.to(leader.email)) == 1
