"""What every template can use: the policy module, labels, today's date, formatting filters,
and `url_with()` for links that keep the current filters."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask, request, url_for
from flask_babel import gettext
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

from ..audit.queries import REFERENCE_FIELDS
from ..domain import policy
from ..domain.lifecycle import STATUS_LABELS, STATUSES
from ..domain.numbers import MEASURED_FIELDS
from ..domain.roles import ROLE_LABELS
from ..domain.text import FIELD_LABELS, field_label
from ..domain.timeliness import (
    TIMELINESS_LABELS,
    TIMELINESS_ORDER,
    Timeliness,
    TimelinessCounts,
)
from ..infra import clock, i18n
from ..reporting import closings
from ..work import notifications


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


# Stands for the class in the one address task_list_urls builds per row.
_CLASS_MARKER = "CLASS"


def task_list_urls(args: dict[str, str]) -> dict[str, str]:
    """The task list's address for each timeliness class, narrowed by `args`: the links of
    a row of counts. Built once per row and the class put in (the same addresses url_for
    gives for each class: a board of a hundred rows built 400 before); an argument value
    that spells the marker is percent-encoded ("=" becomes %3D), so only the class's own
    argument matches."""
    base = url_for("tasks.index", timeliness=_CLASS_MARKER, **args)
    placeholder = f"timeliness={_CLASS_MARKER}"
    return {
        t.value: base.replace(placeholder, f"timeliness={t.value}", 1) for t in TIMELINESS_ORDER
    }


def count_cells(labels: dict[str, str], counts: TimelinessCounts, args: dict[str, str]) -> Markup:
    """A row of counts' four cells: each class's figure a link to the task list of those
    tasks (narrowed by `args`), named for a screen reader with the class's label from
    `labels`, and once tasks have come due the class's share beside it. Written here rather
    than as a template macro: a board writes a hundred rows, and the macro was a quarter of
    its time."""
    urls = task_list_urls(args)
    cells = []
    for t in TIMELINESS_ORDER:
        figure = escape(i18n.format_figure(counts.count(t)))
        share = ""
        if t is not Timeliness.WITHIN_DEADLINE and counts.come_due:
            share = f' <small class="muted">{escape(i18n.format_share(counts.share(t)))}</small>'
        cells.append(
            f'<td class="num"><a href="{escape(urls[t.value])}" '
            f'aria-label="{figure} {escape(labels[t.value])}">{figure}</a>{share}</td>'
        )
    return Markup("\n".join(cells))


@pass_context
def _count_cells_with_page_labels(context, counts: TimelinessCounts, args: dict[str, str]):
    """count_cells() as a template calls it: with the class labels the page translated."""
    return count_cells(context["TIMELINESS_LABELS"], counts, args)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return clock.moment_text(value)
    return value.strftime("%d/%m/%Y")


def file_size(size: int | None) -> str:
    """A file's size as people read it: 830 B, 12,4 kB, 3,1 MB (in the page's language)."""
    if size is None:
        return "—"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{i18n.format_figure(size / 1024, '0.0')} kB"
    return f"{i18n.format_figure(size / 1024 / 1024, '0.0')} MB"


def _unread_notifications() -> int:
    """The bell's count for the person signed in: read with their session on a page that
    changes nothing (GET), counted again after a request that may have (a form shown
    again with its errors)."""
    if not current_user.is_authenticated:
        return 0
    read_with_session = current_user.unread_at_sign_in
    if read_with_session is not None and request.method in ("GET", "HEAD"):
        return read_with_session
    return notifications.unread_count(current_user)


def changes(
    before: dict | None, after: dict | None, codes: dict[tuple[str, int], str] | None = None
) -> list[tuple[str, str, str]]:
    """An audit event's change as people read it: (field, before, after) for each field that
    differs, the field named in the page's language, values as short text ("—" for none), a
    record's id as its code from `codes` (audit.queries.referenced_codes); a creation lists
    what it set; a field empty on both sides (no evidence before, none added) is not a
    change."""
    before, after = before or {}, after or {}
    codes = codes or {}
    rows = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if kind := REFERENCE_FIELDS.get(key):
            old, new = (_code(codes, kind, value) for value in (old, new))
        old, new = recorded_value(key, old), recorded_value(key, new)
        if old != new:
            rows.append((i18n.translated(field_label(key)), old, new))
    return rows


def _is_decimal(text: str) -> bool:
    """Whether `text` is a finite decimal as the trail records one (Decimal's own text)."""
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _code(codes: dict[tuple[str, int], str], kind: str, value: Any) -> Any:
    """The code of the `kind` record whose id is `value`, else `value` as it was recorded."""
    if isinstance(value, int) and not isinstance(value, bool):
        return codes.get((kind, value), value)
    return value


def recorded_value(field: str, value) -> str:
    """A recorded value of `field` in the page's language where it is one of the stored
    words (i18n.recorded_word: a status, a role, a kind, a frequency…) or a yes/no; a list
    of names joined by "; "; nothing (None, "", an empty list) as "—"; anything else as it
    was recorded."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, str) and (day := _recorded_day(value)) is not None:
        return format_date(day)
    if field in MEASURED_FIELDS and isinstance(value, str) and _is_decimal(value):
        return i18n.format_amount(Decimal(value))  # 62,5 on a Vietnamese page, as typed
    if field == "scope" and isinstance(value, str) and value.count("|") == 3:
        return closings.scope_in_words(value)  # a period closing's recorded scope
    if isinstance(value, str):
        value = i18n.recorded_word(field, value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        value = "; ".join(value)  # names: the evidence added, the coordinating units
    elif isinstance(value, dict) and all(_is_scalar(item) for item in value.values()):
        # An export's chain head and filters: "STT: 10; Mã băm: 8c8b…", each named.
        value = "; ".join(
            f"{i18n.translated(field_label(key))}: {recorded_value(key, item)}"
            for key, item in sorted(value.items())
        )
    elif isinstance(value, list) and all(_is_scalar(item) for item in value):
        # A row of figures (a closed period's totals), as the report writes one: its words
        # are the report's own labels, its numbers figures (a rate as a percentage).
        value = "; ".join(
            i18n.translated(item)
            if isinstance(item, str) and item
            else i18n.format_figure(item)
            if isinstance(item, int | float) and not isinstance(item, bool)
            else recorded_value(field, item)
            for item in value
        )
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float)


def _recorded_day(value: str) -> date | datetime | None:
    """A day or a moment the trail recorded as ISO text (audit.jsonable), else None."""
    if not ISO_DAY.match(value):
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        return None


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?)?$")


def unit_options(choices: list[tuple[str, str, int]], selected: str | None) -> Markup:
    """The <option>s of a unit chooser from `lookups.unit_choices`: "code — name", indented
    by depth, the `selected` code selected. Written here rather than looped in the template:
    3,000 units took a third of a second of template time per page."""
    options = []
    for code, name, depth in choices:
        chosen = " selected" if code == selected else ""
        label = unit_choice_label(code, name, depth)
        options.append(f'<option value="{escape(code)}"{chosen}>{escape(label)}</option>')
    return Markup("".join(options))


def directive_options(choices: list[Any], selected: str | None) -> Markup:
    """The <option>s of a directive chooser from `lookups.directive_choices` (rows with
    `code`), the `selected` code selected: written here rather than looped in the template,
    as unit_options (a national tracker has 3,000 directives)."""
    return Markup(
        "".join(
            f'<option value="{escape(row.code)}" {"selected" if row.code == selected else ""}>'
            f"{escape(row.code)}</option>"
            for row in choices
        )
    )


def unit_choice_label(code: str, name: str, depth: int) -> str:
    """A unit as every chooser names it: indented by depth, "code — name"."""
    return f"{'· ' * depth}{code} — {name}"


def compact_json(value) -> str:
    """JSON for people to read: keys sorted, Vietnamese left as it is (autoescaped)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def column_name(column: str) -> str:
    """A file's column (`lead_unit`) as the reader's language names the field it holds
    (*Đơn vị chủ trì*), or "" when no field is named so."""
    return i18n.translated(FIELD_LABELS[column]) if column in FIELD_LABELS else ""


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["share"] = i18n.format_share
    app.jinja_env.filters["figure"] = i18n.format_figure
    app.jinja_env.filters["amount"] = i18n.format_amount
    app.jinja_env.filters["label"] = i18n.label
    app.jinja_env.filters["compact_json"] = compact_json
    app.jinja_env.filters["filesize"] = file_size
    app.jinja_env.filters["closing_scope"] = closings.scope_in_words
    app.jinja_env.globals["changes"] = changes
    app.jinja_env.globals["recorded_value"] = recorded_value
    app.jinja_env.globals["unit_options"] = unit_options
    app.jinja_env.globals["directive_options"] = directive_options
    app.jinja_env.globals["count_cells"] = _count_cells_with_page_labels
    app.jinja_env.globals["column_name"] = column_name
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def helpers():
        return {
            "policy": policy,
            # The domain's labels in the page's language.
            "STATUS_LABELS": {key: gettext(label) for key, label in STATUS_LABELS.items()},
            "STATUSES": STATUSES,
            "ROLE_LABELS": {key: gettext(label) for key, label in ROLE_LABELS.items()},
            "TIMELINESS_LABELS": {
                t.value: gettext(label) for t, label in TIMELINESS_LABELS.items()
            },
            "LANGUAGES": i18n.LANGUAGES,
            "current_language": i18n.current_language,
            "translated": i18n.translated,
            "TIMELINESS_ORDER": TIMELINESS_ORDER,
            "Timeliness": Timeliness,
            "today": clock.today,
            "url_with": url_with,
            "unread_notifications": _unread_notifications,
        }


def compile_templates(app: Flask) -> None:
    """Compile every page template now, as a server's worker starts, so that no reader's
    request pays for it: each worker compiled a template the first time it served it (the
    dashboard 30 → 270 ms, a task page 25 → 145 ms once per worker)."""
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)
