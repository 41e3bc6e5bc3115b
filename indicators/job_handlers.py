"""The what-if preview as a job (docs/operations.md, "Jobs"): scoring a whole firm twice takes seconds at 2,000
staff, so the figures are computed by a worker and kept with the job for its page. Registered from ready()."""

from decimal import Decimal

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_noop

from indicators import scheme_selectors
from indicators.models import Scheme
from jobs.registry import JobFailed, Outcome, register
from reviews.models import Quarter

WHATIF = "whatif"


def _plain(value):
    """The figures as JSON keeps them: Decimals and translated labels as text (the page prints them as they were)."""
    return str(value) if isinstance(value, Decimal | Promise) else value


def whatif_data(figures: dict) -> dict:
    """scheme_selectors.whatif's figures without model instances, for the job's result (names in the requester's
    language, the job runs in it)."""
    movers = []
    for row in figures["movers"]:
        person = row["person"]
        movers.append(
            {
                **{key: _plain(value) for key, value in row.items() if key != "person"},
                "person": {
                    "full_name": person.full_name if person else "",
                    "department": {"name": person.department.name if person and person.department_id else ""},
                },
                "delta_sign": (row["delta"] > 0) - (row["delta"] < 0),
            }
        )
    return {**{key: _plain(value) for key, value in figures.items() if key != "movers"}, "movers": movers}


def whatif_run(job, progress):
    scheme = Scheme.objects.filter(pk=job.params.get("scheme")).select_related("quarter").first()
    on_quarter = Quarter.objects.filter(year=job.params.get("year"), number=job.params.get("number")).first()
    if scheme is None or on_quarter is None or not scheme.is_pending:
        raise JobFailed(
            gettext_noop("The draft or the quarter of data is no longer there to be previewed."),
            retry=False,
            next_step=gettext_noop("Open the scheme again and start the preview from it."),
        )
    progress(0, 1)
    baseline = scheme_selectors.whatif_baseline(scheme=scheme)
    figures = scheme_selectors.whatif(scheme=scheme, on_quarter=on_quarter, baseline=baseline)
    url = reverse("indicators:scheme_whatif", args=[scheme.pk]) + "?" + urlencode({"job": job.pk})
    return Outcome(
        gettext_noop("The what-if preview of the draft on the %(quarter)s data is ready."),
        {"quarter": on_quarter.code},
        url=url,
        data={**whatif_data(figures), "baseline": baseline.pk if baseline else None},
    )


def register_whatif_job():
    register(
        WHATIF,
        label=gettext_noop("What-if preview"),
        handler=whatif_run,
    )
