"""The rows of a results export: ONE definition for `manage.py export_results`, the download buttons of the
results table, the approval page and the report, and a person's own history (docs/indicators.md, "Exports").

Values keep their types (Decimal, int, date, text) and are not neutralised here: each writer in
lawfirm_kpi.spreadsheets makes formula-like text inert in its own format. Texts that depend on the language
(position, department, grade) are in the active language.
"""

from django.utils import timezone

from indicators.models import Indicator
from results.models import Scorecard

LEADING_COLUMNS = ["username", "full_name", "position", "department", "computed_on"]
TRAILING_COLUMNS = ["total", "grade", "rank"]


def _table(cards, *, quarter_column: bool):
    used = {line.indicator_id for card in cards for line in card.lines.all()}
    indicators = [indicator for indicator in Indicator.objects.order_by("order") if indicator.pk in used]
    header = (["quarter"] if quarter_column else []) + list(LEADING_COLUMNS)
    for indicator in indicators:
        header += [f"{indicator.code}_value", f"{indicator.code}_points"]
    header += TRAILING_COLUMNS
    rows = []
    for card in cards:
        lines = {line.indicator_id: line for line in card.lines.all()}
        row = [card.quarter.code] if quarter_column else []
        row += [
            card.staff.user.username,
            card.staff.full_name,
            card.get_position_display(),
            card.department.name,
            timezone.localdate(card.computed_at),
        ]
        for indicator in indicators:
            line = lines.get(indicator.pk)
            row += [None if line is None else line.value, None if line is None else line.points]
        row += [card.total, card.grade_label, card.rank]
        rows.append(row)
    return header, rows


def _cards():
    return Scorecard.objects.filter(is_current=True).select_related("staff__user", "department", "quarter")


def quarter_export_rows(quarter):
    """Header and rows of a quarter's current scorecards, one row per person: username, full_name, position,
    department, computed_on, <code>_value, <code>_points for each indicator used, total, grade, rank."""
    cards = list(
        _cards().filter(quarter=quarter).prefetch_related("lines").order_by("position", "rank", "staff__full_name")
    )
    return _table(cards, quarter_column=False)


def history_export_rows(staff):
    """Header and rows of one person's published results, every quarter, current versions (after corrections),
    oldest first: the same columns as quarter_export_rows() with the quarter in front."""
    cards = list(
        _cards()
        .filter(staff=staff, status=Scorecard.Status.PUBLISHED)
        .prefetch_related("lines")
        .order_by("quarter__year", "quarter__number")
    )
    return _table(cards, quarter_column=True)


TRENDS_COLUMNS = [
    "figure",
    "quarter",
    "group",
    "item",
    "people",
    "average_points",
    "percent_of_weight",
    "previous_total",
    "total",
    "change",
    "previous_rank",
    "rank",
    "corrected",
]


def trends_export_rows(trends):
    """Header and rows of the trends page's figures (results.trends.Trends), one table for CSV and XLSX alike:
    `figure` names the table a row belongs to (department_category, position_category, indicator, grade, quarter,
    mover), the other columns hold what that figure has. Groups, items and grades are in the active language."""
    width = len(TRENDS_COLUMNS)
    column = {name: index for index, name in enumerate(TRENDS_COLUMNS)}

    def row(**values):
        cells = [None] * width
        for name, value in values.items():
            cells[column[name]] = value
        return cells

    rows = []
    codes = [quarter.code for quarter in trends.quarters]
    for figure, heat_rows in (("department_category", trends.by_department), ("position_category", trends.by_position)):
        for heat in heat_rows:
            for code, cell in zip(codes, heat.cells, strict=True):
                if cell is not None:
                    rows.append(
                        row(
                            figure=figure,
                            quarter=code,
                            group=heat.group,
                            item=heat.category,
                            people=cell.people,
                            average_points=cell.average_points,
                            percent_of_weight=cell.percent,
                        )
                    )
    for trend in trends.indicators:
        for code, points, percent, people in zip(
            codes, trend.average_points, trend.percents, trend.people, strict=True
        ):
            if people:
                rows.append(
                    row(
                        figure="indicator",
                        quarter=code,
                        item=trend.indicator.name,
                        people=people,
                        average_points=points,
                        percent_of_weight=percent,
                    )
                )
    for grades in trends.grade_rows:
        code = grades.quarter.code
        rows.append(
            row(figure="quarter", quarter=code, people=grades.people, total=grades.average, corrected=grades.corrected)
        )
        for grade, count in zip(trends.grades, grades.counts, strict=True):
            rows.append(row(figure="grade", quarter=code, item=grade, people=count))
    for mover in trends.changes:
        rows.append(
            row(
                figure="mover",
                quarter=trends.movers_to.code,
                group=mover.department,
                item=mover.name,
                previous_total=mover.previous_total,
                total=mover.total,
                change=mover.delta,
                previous_rank=mover.previous_rank,
                rank=mover.rank,
                corrected=1 if mover.corrected else 0,
            )
        )
    return list(TRENDS_COLUMNS), rows
