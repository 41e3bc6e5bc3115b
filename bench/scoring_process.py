"""Scores the quarter of the synthetic firm already in the database once, in a fresh process, as the scoring job
does (results_store_drafts), and prints one JSON line: wall time, its phases, queries and peak RSS.

Run by bench/bench_scoring.py: python -m bench.scoring_process (DATABASE_URL and the bench settings in the
environment). A fresh process, so its peak RSS is the whole process's (Python, Django, the scoring) and nothing
of building the firm is in it.
"""

import json
import os
import resource
import time

import django


class _Clock:
    """Seconds spent inside the wrapped functions (the phases of one scoring)."""

    def __init__(self):
        self.seconds = {"inputs": 0.0, "streams": 0.0, "scoring": 0.0, "basis_encoding": 0.0}

    def timed(self, phase, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - started

        return wrapper

    def timed_batches(self, batches):
        """The streams are read while the scoring folds them: only the time spent fetching counts as reading."""

        def wrapper(stream):
            generator = batches(stream)
            while True:
                started = time.perf_counter()
                batch = next(generator, None)
                self.seconds["streams"] += time.perf_counter() - started
                if batch is None:
                    return
                yield batch

        return wrapper


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawfirm_kpi.settings.bench")
    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from indicators import computation, scoring, selectors
    from indicators.models import Scheme
    from results import basis
    from results.drafts import results_store_drafts
    from reviews.models import Quarter

    as_of = timezone.make_aware(timezone.datetime(2026, 10, 5, 9, 0))
    quarter = Quarter.objects.get()
    scheme = Scheme.objects.get(quarter=quarter)
    organiser = User.objects.get(pk=1)

    clock = _Clock()
    selectors._Stream.batches = clock.timed_batches(selectors._Stream.batches)
    computation.selectors.quarter_inputs = clock.timed("inputs", selectors.quarter_inputs)
    computation.scoring.score_quarter = clock.timed("scoring", scoring.score_quarter)
    basis.StreamedChunkWriter.add = clock.timed("basis_encoding", basis.StreamedChunkWriter.add)

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        stored = results_store_drafts(quarter=quarter, scheme=scheme, by=organiser, as_of=as_of)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The contracts and revenue entries are fetched while the scoring folds them, and their basis chunks encoded as
    # they pass (indicators.selectors.ContractStream, RevenueStream): fetching is reading, encoding is storing.
    spent = clock.seconds
    phases = {
        "read": spent["inputs"] + spent["streams"] - spent["basis_encoding"],
        "compute": spent["scoring"] - spent["streams"],
        "store": seconds - spent["inputs"] - spent["scoring"] + spent["basis_encoding"],
    }
    # The reads of a computation alone (what the what-if preview runs), counted after the timed scoring.
    with CaptureQueriesContext(connection) as reads:
        computation.results_compute(quarter=quarter, scheme=scheme, as_of=as_of)
    print(
        "SCORING "
        + json.dumps(
            {
                "seconds": seconds,
                "phases": phases,
                "queries": len(queries),
                "read_queries": len(reads),
                "peak_rss_mb": peak_mb,
                "scorecards": stored,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
