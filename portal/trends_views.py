"""The firm over time (docs/trends.md): the trends page for the two groups, its downloads and its one-page PDF.

The figures are results.trends' (published results, current versions); the same context feeds the page and the PDF.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from documents.charts import sparkline_svg
from documents.pdf import render_pdf
from lawfirm_kpi.spreadsheets import FORMATS, download_response
from portal.quarter_views import organisers_only
from portal.trends_forms import TrendsFilterForm
from results.exports import trends_export_rows
from results.trends import firm_trends

# Best grade first: green, blue, amber, red; then neutral colours for any further band a scheme defines.
GRADE_COLOURS = ("#198754", "#0d6efd", "#ffc107", "#dc3545", "#6c757d", "#6f42c1")
# The figure and the grade columns stay in view while scrolling across the quarters.
TRENDS_FREEZE = "E2"


def heat_colour(percent) -> str:
    """The background of a heat-map cell: red at half the weight reached or less, through yellow, to green at the
    full weight and above. Light enough for the printed number to keep its contrast; the number is the figure."""
    if percent is None:
        return "#f8f9fa"
    share = min(max((float(percent) - 50) / 50, 0.0), 1.0)
    return f"hsl({round(share * 120)}, 65%, 84%)"


def trends_context(trends) -> dict:
    """What the page and the PDF show: the figures, each heat cell's colour and each indicator's sparkline."""
    labels = [quarter.code for quarter in trends.quarters]

    def heat(rows):
        return [
            {
                "row": row,
                "first": index == 0 or rows[index - 1].group != row.group,
                "span": sum(1 for other in rows if other.group == row.group),
                "cells": [(cell, heat_colour(cell.percent if cell else None)) for cell in row.cells],
            }
            for index, row in enumerate(rows)
        ]

    indicators = [
        {
            "trend": trend,
            "sparkline": sparkline_svg(
                trend.percents,
                labels=labels,
                title=_("%(indicator)s, share of the weight reached per quarter") % {"indicator": trend.indicator.name},
                value_suffix="%",
            ),
        }
        for trend in trends.indicators
    ]
    colours = [GRADE_COLOURS[index % len(GRADE_COLOURS)] for index in range(len(trends.grades))]
    grade_rows = [
        {
            "grades": row,
            # (label, people, width of the bar's piece as CSS text, colour)
            "shares": [
                (label, count, f"{100 * count / row.people:.1f}" if row.people else "0", colour)
                for label, count, colour in zip(trends.grades, row.counts, colours, strict=True)
            ],
        }
        for row in trends.grade_rows
    ]
    return {
        "trends": trends,
        "by_department": heat(trends.by_department),
        "by_position": heat(trends.by_position),
        "indicators": indicators,
        "grade_rows": grade_rows,
        "grade_columns": list(zip(trends.grades, colours, strict=True)),
    }


def _filtered(request):
    """(form, trends): the trends for the query's filters, or None when a filter is not valid."""
    form = TrendsFilterForm.from_query(request.GET)
    if not form.is_valid():
        return form, None
    return form, firm_trends(**form.filters())


def _span(trends) -> str:
    first, last = trends.quarters[0].code, trends.quarters[-1].code
    return first if first == last else f"{first}-{last}"


@organisers_only
def trends(request):
    """The last published quarters side by side: heat maps, indicator trends, grades and the people who moved most.

    Execution and leadership groups only (regulation 二.1, 二.2: they run and judge the assessment)."""
    form, figures = _filtered(request)
    context = {"form": form, "query": request.GET.urlencode()}
    if figures is None:
        return render(request, "portal/trends.html", context, status=400)
    context |= trends_context(figures)
    return render(request, "portal/trends.html", context)


def _back(request):
    query = request.GET.urlencode()
    return redirect(reverse("portal:trends") + (f"?{query}" if query else ""))


@organisers_only
def trends_download(request, file_format):
    """The page's figures as CSV or XLSX, with the page's filters."""
    if file_format not in FORMATS:
        raise Http404
    form, figures = _filtered(request)
    if figures is None:
        return _back(request)
    if not figures.quarters:
        messages.info(request, _("No quarter has published results yet."))
        return _back(request)
    header, rows = trends_export_rows(figures)
    return download_response(
        header=header,
        rows=rows,
        file_format=file_format,
        filename=f"trends-{_span(figures)}{form.file_suffix()}",
        title=_("Trends"),
        freeze=TRENDS_FREEZE,
    )


@organisers_only
def trends_pdf(request):
    """The page's figures on one A4 landscape page, for the partners' meeting."""
    form, figures = _filtered(request)
    if figures is None:
        return _back(request)
    if not figures.quarters:
        messages.info(request, _("No quarter has published results yet."))
        return _back(request)
    data = form.cleaned_data
    context = trends_context(figures) | {
        "firm_name": settings.FIRM_NAME,
        "department": data["department"],
        "position": dict(form.fields["position"].choices).get(data["position"]) if data["position"] else None,
    }
    response = HttpResponse(render_pdf("pdf/trends.html", context), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"trends-{_span(figures)}{form.file_suffix()}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
