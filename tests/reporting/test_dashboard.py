"""The dashboard: four classes today, the overdue trend rebuilt from the history at each
month's end, and the units with the most overdue tasks; scoped to the reader."""

import re
from datetime import date

import pytest

from tracker.reporting.dashboard import month_ends

from ..conftest import login


def test_month_ends_are_the_last_days_of_the_previous_months_then_today():
    ends = month_ends(date(2026, 3, 15), 4)
    assert ends == [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 15)]


def trend(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr><td>(\d\d/\d\d/\d{4})</td><td class="num">(\d+)</td></tr>', html))


# The trend's twelve points end today: read in June 2026 they run from 31/07/2025 to today.
IN_JUNE_2026 = pytest.mark.now("2026-06-15T10:00:00+07:00")


@IN_JUNE_2026
def test_the_auditors_dashboard(auditor, history, today):
    page = auditor.get("/dashboard")
    assert page.status_code == 200
    figures = trend(page.text)
    assert len(figures) == 12
    # 31/12/2025: B (due 25/9) and F (moved to 30/11) overdue; C is due that very day.
    assert figures["31/12/2025"] == "2"
    assert figures["31/01/2026"] == "3"
    assert figures[f"{today:%d/%m/%Y}"] == "3"
    assert re.search(
        r'aria-label="Overdue tasks at the end of each month: 07/2025 0, [^"]*12/2025 2, 01/2026 3',
        page.text,
    )
    assert 'aria-label="Tasks per timeliness class, 5 in all"' in page.text
    top = page.text.split("Units with the most overdue tasks")[1]
    assert re.search(
        r'DEP <small class="muted">[^<]*</small></th>\s*<td class="num"><a [^>]*>3</a>', top
    )


@IN_JUNE_2026
def test_a_unit_leader_sees_their_unit_only(client, make, org, history):
    login(client, make.user("unit_leader", org["institute"]))
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "There are no tasks in your scope yet." in page.text
    login(client, make.user("unit_leader", org["department"]))
    page = client.get("/dashboard")
    assert trend(page.text)["31/12/2025"] == "2"
