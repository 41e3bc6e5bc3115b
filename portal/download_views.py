"""Downloads of results as CSV or XLSX, from the pages people read them on (docs/indicators.md, "Exports").

The rows are results.exports' (the same as `manage.py export_results`); each download is guarded exactly as the
page it sits on: the results table and the report for the two groups, the approval page for the leadership group,
a person's history for that person alone.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from lawfirm_kpi.spreadsheets import FORMATS, download_response
from portal.quarter_views import leadership_only, organisers_only
from results.exports import history_export_rows, quarter_export_rows
from reviews.selectors import get_quarter_or_404

# The names stay in view while scrolling across the indicators (username … department; quarter too in a history).
QUARTER_FREEZE = "E2"
HISTORY_FREEZE = "F2"


def _file_format(file_format):
    if file_format not in FORMATS:
        raise Http404
    return file_format


def _quarter_download(request, code, file_format, *, page):
    file_format = _file_format(file_format)
    quarter = get_quarter_or_404(code)
    header, rows = quarter_export_rows(quarter)
    if not rows:
        messages.info(request, _("%(quarter)s has no results to download yet.") % {"quarter": quarter.code})
        return redirect(page, code=quarter.code)
    return download_response(
        header=header,
        rows=rows,
        file_format=file_format,
        filename=f"results-{quarter.code}",
        title=quarter.code,
        freeze=QUARTER_FREEZE,
    )


@organisers_only
def results_download(request, code, file_format):
    """The results table's download: every current scorecard of the quarter."""
    return _quarter_download(request, code, file_format, page="portal:results")


@organisers_only
def report_download(request, code, file_format):
    """The report's download: the same rows as the results table."""
    return _quarter_download(request, code, file_format, page="portal:report")


@leadership_only
def approval_download(request, code, file_format):
    """The approval page's download: the rows the leadership group decides on."""
    return _quarter_download(request, code, file_format, page="portal:approval")


@login_required
def history_download(request, file_format):
    """The signed-in person's own published results, every quarter (regulation 三.5: each person's own results)."""
    file_format = _file_format(file_format)
    profile = getattr(request.user, "profile", None)
    if profile is None:
        raise Http404
    header, rows = history_export_rows(profile)
    if not rows:
        messages.info(request, _("You have no published result to download yet."))
        return redirect("portal:my_scorecards")
    first, last = rows[0][0], rows[-1][0]
    span = first if first == last else f"{first}-{last}"
    return download_response(
        header=header,
        rows=rows,
        file_format=file_format,
        filename=f"results-{request.user.username}-{span}",
        title=_("My results"),
        freeze=HISTORY_FREEZE,
    )
