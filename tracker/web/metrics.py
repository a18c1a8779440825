"""GET /metrics: the service's measurements in Prometheus' text format, for the addresses
in METRICS_ALLOW_FROM (default: this machine) or a request with METRICS_TOKEN as its bearer
token; anyone else gets 403.

The counts kept where things happen (infra/metrics.py) are added up over every process when
PROMETHEUS_MULTIPROC_DIR is set (deploy/gunicorn.conf.py); beside them, figures read from
the database at the scrape: jobs by kind and state (the queued ones are the queue's depth),
the audit chain's length, and the tasks in each timeliness class today (counted at most
once a minute per process: a count over every task is not free)."""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator
from ipaddress import ip_address

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from ..audit import queries as audit_queries
from ..domain.timeliness import Timeliness
from ..infra import clock
from ..jobs import records
from ..reporting import task_queries

bp = Blueprint("metrics", __name__)

TIMELINESS_SECONDS = 60
_timeliness_cache: dict[str, tuple[float, dict[str, int]]] = {}


def _allowed() -> bool:
    token = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in current_app.config["METRICS_ALLOW_FROM"])


def _tasks_by_class() -> dict[str, int]:
    today = clock.today().isoformat()
    cached = _timeliness_cache.get(today)
    if cached is None or time.monotonic() - cached[0] > TIMELINESS_SECONDS:
        counts = task_queries.tracker_wide_counts(clock.today())
        figures = {klass.value: counts.count(klass) for klass in Timeliness}
        _timeliness_cache.clear()
        _timeliness_cache[today] = cached = (time.monotonic(), figures)
    return cached[1]


class RecordCollector(Collector):
    """What the database says at the moment of the scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily(
            "tracker_jobs",
            "Background jobs kept, by kind and state (queued, running, done, failed).",
            labels=["kind", "state"],
        )
        queued = 0
        for kind, state, count in records.counts_by_state():
            jobs.add_metric([kind, state], count)
            queued += count if state == "queued" else 0
        yield jobs
        yield GaugeMetricFamily(
            "tracker_job_queue_depth", "Jobs waiting for a worker.", value=queued
        )
        yield GaugeMetricFamily(
            "tracker_audit_chain_length",
            "Events in the sealed audit trail (the chain head's sequence number).",
            value=audit_queries.chain_length(),
        )
        tasks = GaugeMetricFamily(
            "tracker_tasks",
            "Tasks in each timeliness class today (cancelled ones left out; counted at most "
            "once a minute).",
            labels=["timeliness"],
        )
        for klass, count in _tasks_by_class().items():
            tasks.add_metric([klass], count)
        yield tasks


@bp.get("/metrics")
def metrics():
    if not _allowed():
        abort(403)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counted = CollectorRegistry()
        MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    read = CollectorRegistry(auto_describe=False)
    read.register(RecordCollector())
    body = generate_latest(counted) + generate_latest(read)
    return Response(body, content_type=CONTENT_TYPE_LATEST)
