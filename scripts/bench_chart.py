"""The chart of page times by data size: each page's median on PostgreSQL at every size the
bench has measured on this machine (bench/results-<tasks>.json, one per BENCH_TASKS), one
panel per reader, both axes logarithmic, the goal of each page left to the table.

`make bench` redraws it after every run (docs/bench-scale.png, shown in the README); alone:

    .venv/bin/python scripts/bench_chart.py
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


def sizes(database: str = "postgresql") -> dict[int, dict[str, float]]:
    """{tasks: {"<reader>: <page>": median ms}} of every kept run on `database`."""
    found: dict[int, dict[str, float]] = {}
    for path in sorted(OUT.glob("results-*.json")):
        run = json.loads(path.read_text())
        for result in run["results"]:
            if result["database"] != database or not result.get("pages"):
                continue
            medians = {name: page["median_ms"] for name, page in result["pages"].items()}
            for measure, (reader, label) in MEASURES.items():
                if measure in result:
                    medians[f"{reader}: {label}"] = result[measure]["median_ms"]
            found[run["machine"]["tasks"]] = medians
    return found


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
    drawn = draw()
    print(drawn or "fewer than two sizes measured: nothing drawn")
    sys.exit(0)
