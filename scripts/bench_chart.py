"""Page times by data size, from every size the bench has measured on this machine
(bench/results-<tasks>.json, one per BENCH_TASKS): the chart of each page's median on
PostgreSQL, one panel per reader, both axes logarithmic; and the table of each page's p95
per reader and size against its goal, a miss in bold.

`make bench` redraws the chart after every run that measured the pages
(docs/bench-scale.png, shown in the README) and prints the table; alone:

    .venv/bin/python scripts/bench_chart.py [--table]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench"
CHART = ROOT / "docs" / "bench-scale.png"
READERS = ("admin", "top supervisor", "unit leader")
# Measures of the bench's other part shown beside the pages, with the reader they belong to.
MEASURES = {"deep_page": ("top supervisor", "API: page 200 of the overdue tasks")}


def kept_pages(database: str = "postgresql") -> dict[int, dict[str, dict]]:
    """{tasks: {"<reader>: <page>": its figures}} of every kept run on `database`."""
    found: dict[int, dict[str, dict]] = {}
    for path in sorted(OUT.glob("results-*.json")):
        run = json.loads(path.read_text())
        for result in run["results"]:
            if result["database"] != database or not result.get("pages"):
                continue
            pages = dict(result["pages"])
            for measure, (reader, label) in MEASURES.items():
                if measure in result:
                    pages[f"{reader}: {label}"] = result[measure]
            found[run["machine"]["tasks"]] = pages
    return found


def sizes(database: str = "postgresql") -> dict[int, dict[str, float]]:
    """{tasks: {"<reader>: <page>": median ms}} of every kept run on `database`."""
    return {
        tasks: {name: page["median_ms"] for name, page in pages.items()}
        for tasks, pages in kept_pages(database).items()
    }


def table(database: str = "postgresql") -> str:
    """Markdown: a row per page, a column per size, each cell the p95 (ms) of the admin /
    the top supervisor / the unit leader ("–" where the reader may not open it), a p95 over
    the page's goal in bold; the goal last."""
    kept = kept_pages(database)
    tasks = sorted(kept)
    pages = sorted({name.split(": ", 1)[1] for run in kept.values() for name in run})
    goals = {
        name.split(": ", 1)[1]: page.get("goal_ms")
        for run in kept.values()
        for name, page in run.items()
    }

    def cell(size: int, page: str) -> str:
        figures = [kept[size].get(f"{reader}: {page}") for reader in READERS]
        if not any(figures):
            return ""
        shown = []
        for figure in figures:
            if figure is None:
                shown.append("–")
                continue
            p95, goal = figure["p95_ms"], figure.get("goal_ms")
            # one decimal where a whole number would read as the goal itself
            text = f"{p95:,.1f}" if goal and round(p95) == goal != p95 else f"{p95:,.0f}"
            shown.append(f"**{text}**" if goal and p95 > goal else text)
        return " / ".join(shown)

    head = " | ".join(f"{size:,} tasks" for size in tasks)
    lines = [
        f"| page (p95 ms: admin / top supervisor / unit leader) | {head} | goal p95 ms |",
        "|---" * (len(tasks) + 2) + "|",
    ]
    for page in pages:
        cells = " | ".join(cell(size, page) for size in tasks)
        lines.append(f"| {page} | {cells} | {goals.get(page) or ''} |")
    return "\n".join(lines)


def draw(path: Path = CHART, database: str = "postgresql") -> Path | None:
    """Draw the chart to `path`; None when fewer than two sizes have been measured."""
    measured = sizes(database)
    if len(measured) < 2:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    tasks = sorted(measured)
    figure, panels = plt.subplots(1, len(READERS), figsize=(18, 9), sharey=True)
    colours, markers = plt.get_cmap("tab10").colors, "osD^v<>p*h"
    for panel, reader in zip(panels, READERS, strict=True):
        names = sorted(
            {name for run in measured.values() for name in run if name.startswith(reader + ":")}
        )
        for n, name in enumerate(names):
            points = [(size, measured[size][name]) for size in tasks if name in measured[size]]
            panel.plot(
                [size for size, _ in points],
                [ms for _, ms in points],
                marker=markers[n % len(markers)],
                color=colours[n % len(colours)],
                linestyle="-" if n < len(colours) else "--",
                label=name.split(": ", 1)[1],
            )
        panel.set_xscale("log")
        panel.set_yscale("log")
        panel.set_xticks(tasks, [f"{size:,}" for size in tasks])
        panel.xaxis.set_minor_formatter(NullFormatter())
        panel.set_title(reader)
        panel.set_xlabel("tasks")
        panel.grid(True, which="both", alpha=0.3)
        panel.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    panels[0].set_ylabel(f"median ms ({database}, gunicorn, 2 workers)")
    figure.suptitle("Directive Tracker: each page's time by the number of tasks")
    figure.tight_layout()
    path.parent.mkdir(exist_ok=True)
    figure.savefig(path, dpi=80)
    plt.close(figure)
    return path


if __name__ == "__main__":
    if "--table" in sys.argv[1:]:
        print(table())
        sys.exit(0)
    drawn = draw()
    print(drawn or "fewer than two sizes measured: nothing drawn")
    sys.exit(0)
