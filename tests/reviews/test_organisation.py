import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reviews.models import Quarter


def test_a_reporting_line_that_loops_is_refused(firm):
    # Given senior reports to partner; when partner is made to report to lawyer (who reports to senior)
    partner = firm.partner.profile
    partner.superior = firm.lawyer.profile
    # then the loop is refused with a message on the superior field
    with pytest.raises(ValidationError) as error:
        partner.full_clean()
    assert "superior" in error.value.message_dict


def test_a_person_cannot_be_their_own_superior_in_the_database(firm):
    lawyer = firm.lawyer.profile
    lawyer.superior_id = lawyer.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        lawyer.save()


def test_a_plain_chain_is_accepted(firm):
    firm.lawyer.profile.full_clean()


@pytest.mark.parametrize(
    ("year", "number", "starts", "ends", "due"),
    [
        (2026, 1, "2026-01-01", "2026-03-31", "2026-04-10"),
        (2026, 2, "2026-04-01", "2026-06-30", "2026-07-10"),
        (2026, 3, "2026-07-01", "2026-09-30", "2026-10-10"),
        # Year end: the results are due in January of the next year.
        (2026, 4, "2026-10-01", "2026-12-31", "2027-01-10"),
    ],
)
def test_quarter_dates_follow_the_regulation(year, number, starts, ends, due):
    quarter = Quarter(year=year, number=number)
    assert str(quarter.starts_on) == starts
    assert str(quarter.ends_on) == ends
    assert str(quarter.results_due_on) == due


def test_quarter_codes_parse_and_bad_ones_are_refused():
    assert Quarter.parse_code("2026Q3") == (2026, 3)
    assert Quarter.parse_code(" 2025q4 ") == (2025, 4)
    with pytest.raises(ValueError):
        Quarter.parse_code("2026Q5")


def test_the_people_page_shows_groups_to_the_organisers_only(firm, client_for):
    page = client_for(firm.executor).get("/people/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "王建国" in text and "赵敏" in text
    assert client_for(firm.lawyer).get("/people/").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/people/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
