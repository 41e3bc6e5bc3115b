"""Published results are never changed in place — not by a service, not by the admin (docs/results.md,
"Published results never change")."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from interviews.services import interview_schedule
from results.drafts import results_store_drafts
from results.models import IndicatorScore, Scorecard
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard, published_at, scheme_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(firm):
    quarter = make_quarter(2026, 2, published_at=published_at(2026, 7, 8))
    return make_scorecard(quarter, firm.lawyer, total="82.5", rank=1, ranked_count=1, lines=LAWYER_LINES)


@pytest.fixture
def admin_client(client, db):
    root = User.objects.create_superuser("root", "root@firm.example", "pw-for-tests-1")
    client.force_login(root)
    return client


def snapshot(card):
    card = Scorecard.objects.get(pk=card.pk)
    lines = list(
        IndicatorScore.objects.filter(scorecard=card).order_by("indicator__order").values_list("points", "value")
    )
    return (card.total, card.grade, card.rank, card.status, card.version, card.scheme_id, lines)


def test_recomputing_a_published_quarter_is_refused_and_changes_nothing(firm, card):
    before = snapshot(card)
    with pytest.raises(ValidationError):
        results_store_drafts(quarter=card.quarter, scheme=scheme_for(card.quarter), by=firm.executor)
    assert snapshot(card) == before
    assert Scorecard.objects.filter(quarter=card.quarter).count() == 1


def test_scheduling_an_interview_leaves_the_published_result_as_it_was(firm, card):
    before = snapshot(card)
    interview_schedule(
        scorecard=card, by=firm.superior, scheduled_at=timezone.now() + timezone.timedelta(days=1), place="会议室"
    )
    assert snapshot(card) == before


def test_every_result_keeps_the_scheme_version_it_was_computed_with(firm, card, client_for):
    client = client_for(firm.lawyer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("portal:scorecard", args=[card.pk])).content.decode()
    assert card.scheme.quarter_id == card.quarter_id
    assert f"Scheme version {card.scheme.version}" in html


def test_the_admin_shows_a_scorecard_but_refuses_to_change_it(admin_client, card):
    url = reverse("admin:results_scorecard_change", args=[card.pk])
    before = snapshot(card)

    page = admin_client.get(url)
    # Read-only: the page is there, without a save button or an editable total
    assert page.status_code == 200
    assert 'name="total"' not in page.content.decode()
    assert 'name="_save"' not in page.content.decode()

    response = admin_client.post(url, {"total": "99", "grade": "优秀", "rank": "1", "ranked_count": "1"})
    assert response.status_code == 403
    assert snapshot(card) == before


def test_the_admin_refuses_to_add_or_delete_scorecards(admin_client, card):
    assert admin_client.get(reverse("admin:results_scorecard_add")).status_code == 403
    response = admin_client.post(reverse("admin:results_scorecard_delete", args=[card.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Scorecard.objects.filter(pk=card.pk).exists()


def test_the_admin_refuses_to_change_or_delete_an_indicator_line(admin_client, card):
    line = card.lines.order_by("indicator__order").first()
    url = reverse("admin:results_indicatorscore_change", args=[line.pk])
    response = admin_client.post(url, {"points": "15", "weight": "15", "effective_weight": "15", "rule": "x"})
    assert response.status_code == 403
    response = admin_client.post(reverse("admin:results_indicatorscore_delete", args=[line.pk]), {"post": "yes"})
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.points == Decimal("18")


def test_the_scorecard_inline_lines_cannot_be_edited_through_the_scorecard_admin(admin_client, card):
    page = admin_client.get(reverse("admin:results_scorecard_change", args=[card.pk])).content.decode()
    assert 'name="lines-0-points"' not in page


def test_the_model_refuses_to_change_a_published_scorecard_in_place(card):
    # Given a published scorecard with its lines
    from results.models import PublishedResultChanged

    before = snapshot(card)
    # When code edits its total, deletes it, or edits one of its lines, it is refused
    card.total = card.total + 5
    with pytest.raises(PublishedResultChanged):
        card.save()
    with pytest.raises(PublishedResultChanged):
        card.delete()
    line = IndicatorScore.objects.filter(scorecard=card).first()
    line.points = line.points + 1
    with pytest.raises(PublishedResultChanged):
        line.save()
    # Then the stored rows are as they were; only superseding a version (is_current) is allowed
    assert snapshot(card) == before
    card.refresh_from_db()
    card.is_current = False
    card.save(update_fields=["is_current"])
    card.refresh_from_db()
    assert card.is_current is False
