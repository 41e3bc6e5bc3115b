"""The quarter's revenue entries are read as a stream while scoring (indicators.selectors.RevenueStream) and their
chunks of the frozen basis are written as they pass (results.basis.StreamedChunkWriter). The stream must score and
keep exactly what the rows held in memory would (a correction recomputes from those), on either database."""

import datetime
from decimal import Decimal as D

import pytest

from clients.models import RevenueEntry
from indicators import selectors
from indicators.computation import rows_compute
from results import basis as basis_module
from results.drafts import results_store_drafts
from results.models import BasisChunk, Scorecard
from tests.indicators.test_selectors import AS_OF, client, contract, revenue, scored_firm  # noqa: F401

pytestmark = pytest.mark.django_db


def _many_entries(firm, count):
    """Entries enough to fill more than one chunk (CHUNK_SIZE ids), with amounts whose text is easy to get wrong."""
    on = contract(firm.lawyer, datetime.date(2026, 7, 2), client_=client())
    amounts = ["0.05", "100", "1234567.89", "12.5", "99999999.99"]
    RevenueEntry.objects.bulk_create(
        RevenueEntry(
            ref=f"RS{n:05d}",
            contract=on,
            received_on=datetime.date(2026, 7, 1) + datetime.timedelta(n % 90),
            amount=D(amounts[n % len(amounts)]),
            credited_to=firm.lawyer.profile,
        )  # fmt: skip
        for n in range(count)
    )


def _stored_revenue_chunks(basis):
    return dict(BasisChunk.objects.filter(basis=basis, kind=basis_module.REVENUE).values_list("bucket", "data"))


def _lines(results):
    return {
        (r.staff_id, line.code): (line.value, line.numerator, line.denominator, line.points, line.details)
        for r in results
        for line in r.lines
    }


def test_streamed_chunks_and_results_equal_those_of_the_rows_held_in_memory(scored_firm):  # noqa: F811
    firm, quarter, scheme = scored_firm
    _many_entries(firm, 2 * basis_module.CHUNK_SIZE + 7)
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    basis = Scorecard.objects.filter(quarter=quarter).first().basis

    period = selectors.quarter_period(quarter, selectors.scheme_parameters(scheme), AS_OF)
    held = selectors.quarter_rows(quarter, period)  # the revenue as a list of rows, as a correction holds it
    assert len(held.revenue) > 2 * basis_module.CHUNK_SIZE
    expected = {bucket: text for (_kind, bucket), text in basis_module._chunks(held, (basis_module.REVENUE,)).items()}
    assert len(expected) >= 3
    assert _stored_revenue_chunks(basis) == expected

    # The basis read back scores every line exactly as the stream did.
    people = selectors.assessed_people(selectors.scheme_rules(scheme).keys())
    from_basis = rows_compute(rows=basis_module.rows_of(basis), people=people, scheme=scheme)
    stored = {
        (card.staff_id, line.indicator.code): (line.value, line.numerator, line.denominator, line.points)
        for card in Scorecard.objects.filter(quarter=quarter).prefetch_related("lines__indicator")
        for line in card.lines.all()
    }
    stored_raw = basis_module.scoring.stored_raw
    recomputed = {
        key: (stored_raw(value), stored_raw(numerator), stored_raw(denominator), points)
        for key, (value, numerator, denominator, points, _details) in _lines(from_basis).items()
    }
    assert recomputed == stored
    share = next(line for r in from_basis if r.staff_id == firm.lawyer.profile.pk for line in r.lines
                 if line.code == "new_client_revenue_share")  # fmt: skip
    assert len(share.details["revenue_all"]) == 3 + 2 * basis_module.CHUNK_SIZE + 7


def test_a_recomputation_empties_the_chunk_whose_entries_left_the_quarter(scored_firm):  # noqa: F811
    firm, quarter, scheme = scored_firm
    _many_entries(firm, 2 * basis_module.CHUNK_SIZE)
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    first = Scorecard.objects.filter(quarter=quarter).first().basis
    last_bucket = max(_stored_revenue_chunks(first))
    moved = RevenueEntry.objects.filter(id__gte=last_bucket * basis_module.CHUNK_SIZE)
    assert moved.exists()
    moved.update(received_on=datetime.date(2026, 10, 2))  # out of the quarter

    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    second = Scorecard.objects.filter(quarter=quarter).first().basis
    assert second.parent_id == first.pk
    assert _stored_revenue_chunks(second)[last_bucket] == "[]"
    kept = {row.id for row in basis_module.rows_of(second).revenue}
    assert kept and not kept & set(moved.values_list("id", flat=True))
    # The first basis still holds what it held (a basis is never changed).
    assert {row.id for row in basis_module.rows_of(first).revenue} >= set(moved.values_list("id", flat=True))
