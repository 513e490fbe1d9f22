"""The self-contained HTML page of a batch report (``propscope report --html``).

The page follows the single-article report (:mod:`propscope.report_html`): the same frame and
styles, no scripts, nothing loaded from elsewhere. Charts are drawn with matplotlib (no pyplot, so
no global backend is touched) and inlined as SVG with their text kept as text; matplotlib escapes
that text. The markup is the template ``templates/batch_report.html.j2`` (this module computes its
values), whose autoescape escapes every other piece of data on the page, so article text, ids and
group names that contain HTML show as text.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup

from propscope.batch.report_types import BatchReport, GroupStats
from propscope.errors import UnknownLabelError
from propscope.extras import require_extra
from propscope.taxonomy import category_colour, get_technique
from propscope.templating import render

MAX_CHART_GROUPS = 30


def technique_label(name: str) -> str:
    """The readable label of a technique; unknown names are shown as they are."""
    try:
        return get_technique(name).label
    except UnknownLabelError:
        return name


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def require_matplotlib() -> None:
    """Raise :class:`ConfigError` (E076) where matplotlib is not installed."""
    require_extra("matplotlib", "The HTML report", "report")


# ---------------------------------------------------------------------------------------------
# Charts


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    # No metadata: no date (the page stays reproducible) and no URLs in the page.
    figure.savefig(
        buffer,
        format="svg",
        metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
    )
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _chart_groups(report: BatchReport) -> list[GroupStats]:
    if report.period is not None:
        return list(report.groups)
    return list(report.groups[:MAX_CHART_GROUPS])


def _technique_chart(report: BatchReport, figure_cls: Any) -> Any:
    techniques = list(reversed(report.overall.techniques))
    figure = figure_cls(figsize=(8, 0.6 + 0.32 * len(techniques)), layout="constrained")
    ax = figure.add_subplot()
    ax.barh(
        [technique_label(t.name) for t in techniques],
        [100 * t.share_of_articles for t in techniques],
        color=[category_colour(t.category) for t in techniques],
        edgecolor="#555555",
        linewidth=0.6,
    )
    ax.set_xlabel("% of analysed articles with the technique")
    ax.spines[["top", "right"]].set_visible(False)
    return figure


def _ticks(ax: Any, labels: Sequence[str]) -> None:
    # At most ~20 labels, so dates over many periods stay readable.
    step = max(1, math.ceil(len(labels) / 20))
    positions = list(range(0, len(labels), step))
    shown = [_short(labels[i]) for i in positions]
    ax.set_xticks(positions, shown, rotation=45, ha="right")


def _short(label: str, limit: int = 28) -> str:
    # Long group names (URLs, say) would squeeze the plot away; the tables show them whole.
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _groups_chart(report: BatchReport, groups: list[GroupStats], figure_cls: Any) -> Any:
    figure = figure_cls(figsize=(10, 3.8), layout="constrained")
    names = [g.name for g in groups]
    series = [
        ("% of paragraphs with a technique", [100 * (g.paragraph_share or 0.0) for g in groups]),
        ("spans per 1,000 words", [g.spans_per_1000_words or 0.0 for g in groups]),
    ]
    for i, (title, values) in enumerate(series, start=1):
        ax = figure.add_subplot(1, 2, i)
        positions = list(range(len(names)))
        if report.period is not None:
            ax.plot(positions, values, marker="o", color="#3B6FB6")
            ax.set_ylim(bottom=0)
        else:
            ax.bar(positions, values, color="#A6C8F4", edgecolor="#555555", linewidth=0.6)
        _ticks(ax, names)
        ax.set_title(title, fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
    return figure


def _heatmap(report: BatchReport, groups: list[GroupStats], figure_cls: Any) -> Any:
    techniques = [t.name for t in report.overall.techniques]
    values = []
    for name in techniques:
        row = []
        for group in groups:
            stats = group.technique(name)
            row.append(100 * stats.share_of_articles if stats else 0.0)
        values.append(row)
    width = min(16.0, 3.5 + 0.45 * len(groups))
    figure = figure_cls(figsize=(width, 1.2 + 0.32 * len(techniques)), layout="constrained")
    ax = figure.add_subplot()
    image = ax.imshow(values, aspect="auto", cmap="Blues", vmin=0, vmax=100)
    ax.set_yticks(range(len(techniques)), [technique_label(n) for n in techniques])
    _ticks(ax, [g.name for g in groups])
    if len(techniques) * len(groups) <= 400:
        for y, row in enumerate(values):
            for x, value in enumerate(row):
                colour = "white" if value > 60 else "black"
                ax.text(x, y, f"{value:.0f}", ha="center", va="center", fontsize=7, color=colour)
    figure.colorbar(image, ax=ax, label="% of articles")
    return figure


def _labels_chart(report: BatchReport, figure_cls: Any) -> Any:
    panels = [("genres", report.overall.genres), ("frames", report.overall.frames)]
    tallest = max(len(labels) for _, labels in panels)
    figure = figure_cls(figsize=(10, 1.0 + 0.3 * max(tallest, 3)), layout="constrained")
    for i, (title, labels) in enumerate(panels, start=1):
        ax = figure.add_subplot(1, 2, i)
        ordered = list(reversed(labels))
        ax.barh(
            [label.name for label in ordered],
            [100 * label.share for label in ordered],
            color="#CDB4F2",
            edgecolor="#555555",
            linewidth=0.6,
        )
        ax.set_title(f"% of analysed articles: {title}", fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
    return figure


def render_charts(report: BatchReport) -> list[tuple[str, str]]:
    """The report's charts as ``(caption, inline SVG)`` pairs.

    Raises:
        ConfigError: matplotlib is not installed (E076).
    """
    require_matplotlib()
    import matplotlib
    from matplotlib.figure import Figure

    groups = _chart_groups(report)
    shown = ""
    if len(groups) < len(report.groups):
        shown = f" (the {len(groups)} largest of {len(report.groups)} groups)"
    overall = "Share of analysed articles with each technique, all articles"
    density = f"Paragraphs with a technique and span density per group{shown}"
    per_group = f"Share of articles with each technique, per group{shown}"
    plans: list[tuple[str, Callable[[], Any]]] = []
    if report.overall.techniques:
        plans.append((overall, lambda: _technique_chart(report, Figure)))
    if groups:
        plans.append((density, lambda: _groups_chart(report, groups, Figure)))
        if report.overall.techniques:
            plans.append((per_group, lambda: _heatmap(report, groups, Figure)))
    if report.overall.genres or report.overall.frames:
        plans.append(("Genres and frames, all articles", lambda: _labels_chart(report, Figure)))
    charts = []
    for number, (caption, draw) in enumerate(plans, start=1):
        settings = {
            "svg.fonttype": "none",  # text stays text: small, searchable, escaped
            "svg.hashsalt": f"propscope-chart-{number}",  # distinct element ids per chart
            "text.parse_math": False,  # a "$" in a group name is not mathtext
            "font.size": 9,
        }
        with matplotlib.rc_context(settings), warnings.catch_warnings():
            # Group names in scripts the default font lacks draw as boxes; that is no error.
            warnings.filterwarnings("ignore", r"Glyph \d+ .*missing from", UserWarning)
            charts.append((caption, _svg(draw())))
    return charts


# ---------------------------------------------------------------------------------------------
# Tables


def _summary(report: BatchReport) -> list[tuple[str, str]]:
    o = report.overall
    return [
        ("Articles", f"{o.articles:,} ({o.ok:,} analysed, {o.failed:,} failed)"),
        ("Words analysed", f"{o.words:,}"),
        ("Spans", f"{o.spans:,}"),
        ("Spans per 1,000 words", _rate(o.spans_per_1000_words)),
        ("Spans per article", _rate(o.spans_per_article)),
        (
            "Paragraphs with a technique",
            f"{o.paragraphs_with_technique:,} of {o.paragraphs:,} ({_pct(o.paragraph_share)})",
        ),
        ("Zero-shot articles", f"{o.zero_shot:,}"),
    ]


def _groups(report: BatchReport) -> list[dict[str, Any]]:
    rows = []
    for g in [*report.groups, report.overall]:
        cells = [f"{g.articles:,}", f"{g.ok:,}", f"{g.failed:,}", f"{g.words:,}", f"{g.spans:,}"]
        cells += [_rate(g.spans_per_1000_words), _rate(g.spans_per_article)]
        cells.append(_pct(g.paragraph_share))
        rows.append({"name": "all articles" if g is report.overall else g.name, "cells": cells})
    return rows


def _cell(share: float, articles: int, extra: str = "") -> dict[str, str]:
    return {"share": _pct(share), "title": f"{articles:,} articles{extra}"}


def _techniques(report: BatchReport) -> list[dict[str, Any]]:
    columns = [report.overall, *report.groups]
    rows = []
    for t in report.overall.techniques:
        cells = []
        for group in columns:
            stats = group.technique(t.name)
            if stats is None:
                cells.append(_cell(0.0, 0))
            else:
                cells.append(
                    _cell(stats.share_of_articles, stats.articles, f", {stats.spans} spans")
                )
        rows.append(
            {
                "colour": category_colour(t.category),
                "name": technique_label(t.name),
                "counts": [f"{t.spans:,}"],
                "cells": cells,
            }
        )
    return rows


def _labels(report: BatchReport, kind: str) -> list[dict[str, Any]]:
    columns = [report.overall, *report.groups]

    def labels(g: GroupStats) -> Any:
        return g.genres if kind == "genres" else g.frames

    rows = []
    for name in [label.name for label in labels(report.overall)]:
        cells = []
        for group in columns:
            found = next((x for x in labels(group) if x.name == name), None)
            cells.append(_cell(found.share, found.articles) if found else _cell(0.0, 0))
        rows.append({"colour": None, "name": name, "counts": [], "cells": cells})
    return rows


def _examples(report: BatchReport) -> list[dict[str, Any]]:
    techniques = []
    for name, examples in report.examples.items():
        items = [
            {
                "score": f"{ex.score:.2f}",
                "before": ex.before,
                "text": ex.text,
                "after": ex.after,
                "colour": category_colour(ex.category),
                "where": ex.id if ex.group is None else f"{ex.id} · {ex.group}",
                "start": ex.start,
                "end": ex.end,
            }
            for ex in examples
        ]
        techniques.append(
            {
                "colour": category_colour(examples[0].category),
                "label": technique_label(name),
                "examples": items,
            }
        )
    return techniques


def render_batch_report(report: BatchReport) -> str:
    """A complete, self-contained HTML page for a batch report.

    Args:
        report: The result of :func:`propscope.batch.report.aggregate`.

    Returns:
        The HTML document (UTF-8, inline styles and SVG charts, no scripts, no external
        resources).

    Raises:
        ConfigError: matplotlib is not installed (E076).

    Example:
        >>> from propscope.batch.report import aggregate
        >>> page = render_batch_report(aggregate([{"id": "<b>", "status": "failed"}]))
        >>> "&lt;b&gt;" in page
        True
    """
    grouping = "not grouped"
    if report.by:
        grouping = f"grouped by {report.by}" + (f" ({report.period})" if report.period else "")
    return render(
        "batch_report.html.j2",
        title="propscope batch report",
        source=report.source,
        grouping=grouping,
        models=", ".join(report.models) or "-",
        summary=_summary(report),
        # matplotlib escapes the text it writes into the SVG (see render_charts).
        charts=[(caption, Markup(svg)) for caption, svg in render_charts(report)],
        by=report.by,
        groups=_groups(report),
        columns=["all", *(g.name for g in report.groups)],
        techniques=_techniques(report),
        top=report.top,
        examples=_examples(report),
        labels=[("genres", _labels(report, "genres")), ("frames", _labels(report, "frames"))],
        failures=[
            {
                "code": f.code,
                "type": f.type,
                "count": f"{f.count:,}",
                "message": f.message,
                "ids": ", ".join(f.ids),
            }
            for f in report.failures
        ],
    )


__all__ = ["MAX_CHART_GROUPS", "render_batch_report", "render_charts", "technique_label"]
