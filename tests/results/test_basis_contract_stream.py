"""The quarter's contracts are read as a stream while scoring (indicators.selectors.ContractStream) and their chunks
of the frozen basis are written as they pass (results.basis.StreamedChunkWriter). The stream must score and keep
exactly what the rows held in memory would (a correction holds them and goes through the same scoring.ContractTally),
on either database."""

import datetime
from decimal import Decimal as D

import pytest

from clients.models import Contract
from indicators import scoring, selectors
from indicators.computation import rows_compute
from results import basis as basis_module
from results.drafts import results_store_drafts
from results.models import BasisChunk, Scorecard
from tests.indicators.test_selectors import AS_OF, client, scored_firm  # noqa: F401

pytestmark = pytest.mark.django_db


def _many_contracts(firm, count):
    """Contracts enough to fill more than one chunk (CHUNK_SIZE ids): in the look-back window, in the quarter, older
    but still open, closed or not, between the firm's lawyers, on clients old and new."""
    lawyers = [firm.lawyer.profile, firm.colleague.profile, firm.superior.profile]
    clients = [client() for _ in range(12)]
    signed = [
        datetime.date(2025, 2, 3),
        datetime.date(2026, 7, 1),
        datetime.date(2026, 9, 30),
        datetime.date(2022, 5, 6),
    ]
    closed = [None, datetime.date(2026, 8, 15), None, datetime.date(2026, 12, 31), datetime.date(2026, 7, 1)]

    def closed_on(n, signed_on):
        day = closed[n % len(closed)]
        return day if day is None or day >= signed_on else None  # never closed before it was signed

    Contract.objects.bulk_create(
        Contract(
            number=f"HS{n:05d}",
            client=clients[n % len(clients)],
            signed_on=signed[n % len(signed)] + datetime.timedelta(days=n % 3),
            originating_lawyer=lawyers[n % 3],
            responsible_lawyer=lawyers[(n // 3) % 3],
            matter=f"Matter S{n}",
            fee=D("1000"),
            closed_on=closed_on(n, signed[n % len(signed)] + datetime.timedelta(days=n % 3)),
        )  # fmt: skip
        for n in range(count)
    )


def _stored_contract_chunks(basis):
    return dict(BasisChunk.objects.filter(basis=basis, kind=basis_module.CONTRACT).values_list("bucket", "data"))


def _facts(rows, people):
    facts = scoring.index_rows(rows)
    return (
        dict(facts.new_clients_of),
        {client: contract.id for client, contract in facts.new_client_contract.items()},
        {person: facts.existing_clients(person) for person in people},
        {person: facts.served_clients(person) for person in people},
        facts.clients_signing_in_quarter,
        {client: sorted(ids) for client, ids in facts.quarter_contracts_of_client.items()},
        dict(facts.referrer_of),
    )


def test_streamed_contracts_fold_as_the_rows_held_in_memory(scored_firm):  # noqa: F811
    firm, quarter, scheme = scored_firm
    _many_contracts(firm, 2 * basis_module.CHUNK_SIZE + 11)
    period = selectors.quarter_period(quarter, selectors.scheme_parameters(scheme), AS_OF)
    held = selectors.quarter_rows(quarter, period)
    streamed = selectors.quarter_rows(quarter, period, stream=True)
    assert isinstance(held.contracts, list) and not isinstance(streamed.contracts, list)
    people = [firm.lawyer.profile.pk, firm.colleague.profile.pk, firm.superior.profile.pk]
    assert _facts(streamed, people) == _facts(held, people)
    assert all(_facts(held, people)[2].values())  # each of them has existing clients


def test_streamed_chunks_and_results_equal_those_of_the_rows_held_in_memory(scored_firm):  # noqa: F811
    firm, quarter, scheme = scored_firm
    _many_contracts(firm, 2 * basis_module.CHUNK_SIZE + 7)
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    basis = Scorecard.objects.filter(quarter=quarter).first().basis

    period = selectors.quarter_period(quarter, selectors.scheme_parameters(scheme), AS_OF)
    held = selectors.quarter_rows(quarter, period)  # the contracts as a list of rows, as a correction holds them
    assert any(row.closed_on for row in held.contracts) and any(row.closed_on is None for row in held.contracts)
    expected = {bucket: text for (_kind, bucket), text in basis_module._chunks(held, (basis_module.CONTRACT,)).items()}
    assert len(expected) >= 3
    assert _stored_contract_chunks(basis) == expected

    # The basis read back scores every line exactly as the streams did.
    people = selectors.assessed_people(selectors.scheme_rules(scheme).keys())
    from_basis = rows_compute(rows=basis_module.rows_of(basis), people=people, scheme=scheme)
    stored = {
        (card.staff_id, line.indicator.code): (line.value, line.numerator, line.denominator, line.points, line.details)
        for card in Scorecard.objects.filter(quarter=quarter).prefetch_related("lines__indicator")
        for line in card.lines.all()
    }
    stored_raw = scoring.stored_raw
    recomputed = {
        (r.staff_id, line.code): (
            stored_raw(line.value), stored_raw(line.numerator), stored_raw(line.denominator), line.points,
        )
        for r in from_basis
        for line in r.lines
    }  # fmt: skip
    assert recomputed == {key: value[:4] for key, value in stored.items()}


def test_a_recomputation_empties_the_chunk_whose_contracts_left_the_period(scored_firm):  # noqa: F811
    firm, quarter, scheme = scored_firm
    _many_contracts(firm, 2 * basis_module.CHUNK_SIZE)
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    first = Scorecard.objects.filter(quarter=quarter).first().basis
    last_bucket = max(_stored_contract_chunks(first))
    held_first = {row.id for row in basis_module.rows_of(first).contracts}
    moved = Contract.objects.filter(id__gte=last_bucket * basis_module.CHUNK_SIZE, id__in=held_first)
    assert moved.exists()
    moved.update(signed_on=datetime.date(2026, 10, 2), closed_on=None)  # signed after the quarter: out of the rows

    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    second = Scorecard.objects.filter(quarter=quarter).first().basis
    assert second.parent_id == first.pk
    assert _stored_contract_chunks(second)[last_bucket] == "[]"
    kept = {row.id for row in basis_module.rows_of(second).contracts}
    assert kept and not kept & set(moved.values_list("id", flat=True))
    # The first basis still holds what it held (a basis is never changed).
    assert {row.id for row in basis_module.rows_of(first).contracts} == held_first
