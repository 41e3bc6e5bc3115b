"""Score the quarter of an existing database once, as the execution group's "compute drafts" does, and print the
wall time, the query count and the process's peak resident memory (docs/benchmarks.md, "Scoring a large firm").

    DATABASE_URL=postgres://…/<db> .venv/bin/python -m bench.score_database

The database holds one quarter and one scheme (bench/synthetic.py builds it); its drafts are rewritten.
"""

import datetime
import os
import resource
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawfirm_kpi.settings.bench")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from indicators.models import Scheme  # noqa: E402
from results.drafts import results_store_drafts  # noqa: E402
from reviews.models import Quarter  # noqa: E402

AS_OF = timezone.make_aware(datetime.datetime(2026, 10, 5, 9, 0))


def main() -> None:
    quarter = Quarter.objects.get()
    scheme, by = Scheme.objects.get(quarter=quarter), User.objects.get(pk=1)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        scored = results_store_drafts(quarter=quarter, scheme=scheme, by=by, as_of=AS_OF)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{scored} scored in {elapsed:.2f} s; queries {len(queries)}; peak RSS {peak} MB")


if __name__ == "__main__":
    main()
