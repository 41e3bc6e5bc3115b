"""The scheme pages in the browser: who sees and does what, forms that refuse bad input, approval, what-if."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, Complaint, Contract
from indicators.models import Indicator, Scheme, SchemeItem
from indicators.schemes import scheme_approve, scheme_new_version, scheme_start_for_quarter, scheme_submit
from jobs.models import Job
from results.models import IndicatorScore, Scorecard
from reviews.models import Position, Quarter, QuarterState

ORGANISERS = ("partner", "executor")
NOT_ORGANISERS = ("business_clerk", "finance_clerk", "admin_clerk", "superior", "lawyer", "assistant", "outsider")
NOT_EXECUTION = ("partner", *NOT_ORGANISERS)
NOT_LEADERSHIP = ("executor", *NOT_ORGANISERS)


@pytest.fixture
def browser(client_for):
    """Sign in as a user with the interface in English (or the language given)."""

    def open_as(user, language="en"):
        client = client_for(user)
        client.cookies["django_language"] = language
        return client

    return open_as


@pytest.fixture
def q3(db):
    return Quarter.objects.create(year=2026, number=3)


@pytest.fixture
def draft(firm, q3):
    return scheme_start_for_quarter(quarter=q3, by=firm.executor)


@pytest.fixture
def approved(firm, draft):
    return scheme_approve(scheme=scheme_submit(scheme=draft, by=firm.executor), by=firm.partner)


def url(name, scheme, *extra):
    return f"/indicators/schemes/{scheme.pk}/{name}/" + "".join(f"{part}/" for part in extra)


def item_post_data(scheme, position, **changes):
    """The edit form's fields as the browser would send them, with {code: {field: value}} changes."""
    items = {item.indicator.code: item for item in scheme.items.filter(position=position).select_related("indicator")}
    prefix = f"items-{position}"
    data = {f"{prefix}-TOTAL_FORMS": "9", f"{prefix}-INITIAL_FORMS": "9"}
    for index, indicator in enumerate(Indicator.objects.order_by("order")):
        item = items.get(indicator.code)
        row = {
            "applies": "on" if item else "",
            "weight": item.weight if item else "",
            "target": item.target if item else "0",
            "step": item.step if item else "10",
            "step_mode": item.step_mode if item else "absolute",
            "points_per_step": item.points_per_step if item else "1",
            "bonus_cap": item.bonus_cap if item else "0",
            "no_data_policy": item.no_data_policy if item else "exclude",
        }
        row.update(changes.get(indicator.code, {}))
        for field, value in row.items():
            if value != "" or field != "applies":
                data[f"{prefix}-{index}-{field}"] = str(value)
    return data


# --- Signing in ---


@pytest.mark.parametrize("path", ["/indicators/catalogue/", "/indicators/schemes/"])
def test_anonymous_visitors_are_sent_to_sign_in(db, client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_anonymous_visitors_cannot_reach_a_scheme_or_its_actions(client, draft):
    for path in (url("", draft)[:-1], url("items", draft, "lawyer"), url("what-if", draft)):
        response = client.get(path.replace("//", "/"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(url("approve", draft))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    draft.refresh_from_db()
    assert draft.status == Scheme.Status.DRAFT


# --- The catalogue ---


@pytest.mark.parametrize("persona", ["lawyer", "assistant", "admin_clerk", "executor", "partner"])
def test_everyone_signed_in_reads_the_catalogue_in_english(firm, browser, persona):
    page = browser(getattr(firm, persona)).get("/indicators/catalogue/")
    text = page.content.decode()
    for indicator in Indicator.objects.all():
        assert indicator.name_en in text
        assert indicator.name_zh not in text
    assert "Lower is better" in text and "Rated by people" in text and "Computed from department data" in text
    assert "first engagement contract with the firm is signed in the quarter" in text


def test_the_catalogue_is_in_chinese_for_chinese_readers(firm, browser):
    text = browser(firm.lawyer, "zh-hans").get("/indicators/catalogue/").content.decode()
    for indicator in Indicator.objects.all():
        assert indicator.name_zh in text
        assert indicator.definition_zh in text
    assert "New-client revenue share" not in text


# --- The list of quarters and schemes ---


def test_the_execution_group_starts_a_new_quarters_scheme_from_the_list(firm, browser, approved):
    # When the execution group starts 2026Q4, which has no quarter row yet
    page = browser(firm.executor).post("/indicators/schemes/", {"code": "2026q4"}, follow=True)
    # Then the quarter exists in 'scheme draft' and its scheme is a draft copy of 2026Q3's
    quarter = Quarter.objects.get(year=2026, number=4)
    scheme = quarter.schemes.get()
    assert quarter.state == QuarterState.SCHEME_DRAFT
    assert scheme.status == Scheme.Status.DRAFT and scheme.based_on == approved
    assert "The 2026Q4 scheme was started as a draft." in page.content.decode()


@pytest.mark.parametrize(
    ("code", "message"),
    [("2026Q5", "Enter a quarter like 2026Q4."), ("2026Q3", "2026Q3 already has a scheme")],
)
def test_a_bad_or_taken_quarter_is_refused_next_to_the_field(firm, browser, draft, code, message):
    page = browser(firm.executor).post("/indicators/schemes/", {"code": code})
    assert page.status_code == 400
    assert message in page.content.decode()
    assert Scheme.objects.count() == 1 and Quarter.objects.count() == 1


@pytest.mark.parametrize("persona", NOT_EXECUTION)
def test_only_the_execution_group_may_start_a_scheme(firm, browser, persona):
    response = browser(getattr(firm, persona)).post("/indicators/schemes/", {"code": "2026Q4"})
    assert response.status_code == 403
    assert not Quarter.objects.exists()


def test_people_see_the_approved_scheme_and_their_targets_but_not_drafts(firm, browser, approved):
    v2 = scheme_new_version(scheme=approved, by=firm.executor)
    lawyer = browser(firm.lawyer)
    listing = lawyer.get("/indicators/schemes/").content.decode()
    assert "2026Q3" in listing and "Version 1" in listing and "Version 2" not in listing
    detail = lawyer.get(f"/indicators/schemes/{approved.pk}/").content.decode()
    assert "Client satisfaction" in detail and "4.2" in detail  # the lawyer's satisfaction target
    assert "Excellent" in detail
    assert "Approve this scheme" not in detail and "Make a new version" not in detail
    assert lawyer.get(f"/indicators/schemes/{v2.pk}/").status_code == 404


def test_organisers_see_drafts_with_their_versions(firm, browser, approved):
    v2 = scheme_new_version(scheme=approved, by=firm.executor)
    for persona in ORGANISERS:
        listing = browser(getattr(firm, persona)).get("/indicators/schemes/").content.decode()
        assert "Version 2" in listing and "Draft" in listing
        assert browser(getattr(firm, persona)).get(f"/indicators/schemes/{v2.pk}/").status_code == 200


# --- Editing a draft ---


def test_the_edit_form_lists_the_nine_indicators_for_the_position(firm, browser, draft):
    page = browser(firm.executor).get(url("items", draft, Position.ASSISTANT))
    text = page.content.decode()
    assert page.status_code == 200
    for indicator in Indicator.objects.all():
        assert indicator.name_en in text
    assert text.count('type="checkbox"') >= 9


def test_weights_that_do_not_add_up_to_100_are_refused_with_a_clear_message(firm, browser, draft):
    data = item_post_data(draft, Position.LAWYER, new_clients={"weight": "25"})
    page = browser(firm.executor).post(url("items", draft, Position.LAWYER), data)
    assert page.status_code == 400
    assert "Lawyer: the weights add up to 110 points; they must add up to exactly 100." in page.content.decode()
    assert draft.items.get(position=Position.LAWYER, indicator__code="new_clients").weight == Decimal("15")


def test_a_zero_target_with_a_relative_step_is_refused_next_to_the_field(firm, browser, draft):
    data = item_post_data(draft, Position.LAWYER, complaint_rate={"step_mode": "relative"})
    page = browser(firm.executor).post(url("items", draft, Position.LAWYER), data)
    text = page.content.decode()
    assert page.status_code == 400
    row = text[text.index('id="row-complaint_rate"') : text.index('id="row-complaint_timeliness"')]
    assert "A zero target needs an absolute step" in row and "is-invalid" in row
    assert draft.items.get(position=Position.LAWYER, indicator__code="complaint_rate").step_mode == "absolute"


def test_a_valid_position_form_is_saved(firm, browser, draft):
    # Given the assistant's satisfaction gets 10 points more and complaint timeliness 10 less (still 100),
    # and the superior's ratings of communication count twice a peer's
    data = item_post_data(
        draft,
        Position.ASSISTANT,
        satisfaction={"weight": "40", "target": "4.5"},
        complaint_timeliness={"weight": "10"},
        communication={"rw_superior": "2", "rw_peer": "1"},
    )
    page = browser(firm.executor).post(url("items", draft, Position.ASSISTANT), data, follow=True)
    assert "Assistant indicators saved." in page.content.decode()
    items = {item.indicator.code: item for item in draft.items.filter(position=Position.ASSISTANT)}
    assert items["satisfaction"].weight == Decimal("40") and items["satisfaction"].target == Decimal("4.5")
    assert items["complaint_timeliness"].weight == Decimal("10")
    assert items["communication"].rater_weights == {"superior": "2", "peer": "1"}


def test_rater_weights_that_are_all_zero_are_refused_next_to_them(firm, browser, draft):
    data = item_post_data(draft, Position.LAWYER, collaboration={"rw_superior": "0", "rw_peer": "0"})
    page = browser(firm.executor).post(url("items", draft, Position.LAWYER), data)
    text = page.content.decode()
    row = text[text.index('id="row-collaboration"') :]
    assert page.status_code == 400
    assert "At least one rater type needs a weight above zero, or leave all empty." in row
    assert draft.items.get(position=Position.LAWYER, indicator__code="collaboration").rater_weights == {}


def test_an_indicator_is_added_by_ticking_it(firm, browser, draft):
    data = item_post_data(
        draft,
        Position.ASSISTANT,
        communication={"weight": "15"},
        referral_rate={"applies": "on", "weight": "10", "target": "10", "step": "2", "step_mode": "absolute"},
    )
    browser(firm.executor).post(url("items", draft, Position.ASSISTANT), data)
    codes = set(draft.items.filter(position=Position.ASSISTANT).values_list("indicator__code", flat=True))
    assert "referral_rate" in codes and len(codes) == 5


@pytest.mark.parametrize("persona", NOT_EXECUTION)
def test_only_the_execution_group_edits_a_draft(firm, browser, draft, persona):
    client = browser(getattr(firm, persona))
    for path in (url("items", draft, "lawyer"), url("grade-bands", draft), url("parameters", draft)):
        assert client.get(path).status_code == 403
    data = item_post_data(draft, Position.LAWYER, satisfaction={"target": "4.9"})
    assert client.post(url("items", draft, "lawyer"), data).status_code == 403
    assert draft.items.get(position=Position.LAWYER, indicator__code="satisfaction").target == Decimal("4.2")


def test_grade_bands_are_edited_with_errors_next_to_the_floor(firm, browser, draft):
    client = browser(firm.executor)
    data = {
        "bands-TOTAL_FORMS": "3",
        "bands-INITIAL_FORMS": "0",
        "bands-0-min_total": "0",
        "bands-0-label_zh": "待改进",
        "bands-0-label_en": "Needs improvement",
        "bands-1-min_total": "75",
        "bands-1-label_zh": "良好",
        "bands-1-label_en": "Good",
        "bands-2-min_total": "75",
        "bands-2-label_zh": "优秀",
        "bands-2-label_en": "Excellent",
    }
    page = client.post(url("grade-bands", draft), data)
    assert page.status_code == 400 and "Two bands cannot start at the same total." in page.content.decode()
    assert draft.grade_bands.count() == 4
    data["bands-2-min_total"] = "92"
    page = client.post(url("grade-bands", draft), data, follow=True)
    assert "Grade bands saved." in page.content.decode()
    assert [(b.min_total, b.label_en) for b in draft.grade_bands.order_by("min_total")] == [
        (Decimal("0"), "Needs improvement"),
        (Decimal("75"), "Good"),
        (Decimal("92"), "Excellent"),
    ]


def test_parameters_out_of_range_are_refused(firm, browser, draft):
    client = browser(firm.executor)
    data = {"lookback_quarters": "8", "complaint_deadline_hours": "48", "rating_scale": "1", "note": ""}
    page = client.post(url("parameters", draft), data)
    assert page.status_code == 400 and "greater than or equal to 2" in page.content.decode()
    data["rating_scale"] = "10"
    client.post(url("parameters", draft), data)
    draft.refresh_from_db()
    assert draft.parameters["rating_scale"] == 10


def test_an_approved_scheme_refuses_its_edit_forms(firm, browser, approved):
    client = browser(firm.executor)
    for path in (url("items", approved, "lawyer"), url("grade-bands", approved), url("parameters", approved)):
        page = client.get(path, follow=True)
        assert "can no longer be edited; make a new version to change it." in page.content.decode()
    data = item_post_data(approved, Position.LAWYER, satisfaction={"target": "4.9"})
    page = client.post(url("items", approved, "lawyer"), data, follow=True)
    assert "can no longer be edited" in page.content.decode()
    assert approved.items.get(position=Position.LAWYER, indicator__code="satisfaction").target == Decimal("4.2")


# --- Approval in the browser ---


def test_leadership_approves_in_the_browser_with_a_comment(firm, browser, draft, q3):
    browser(firm.executor).post(url("submit", draft))
    client = browser(firm.partner)
    detail = client.get(f"/indicators/schemes/{draft.pk}/").content.decode()
    assert "Approve this scheme" in detail
    page = client.post(url("approve", draft), {"comment": "Agreed on 1 July"}, follow=True)
    text = page.content.decode()
    assert "Version 1 of the 2026Q3 scheme is approved and now applies." in text
    assert "Agreed on 1 July" in text and "王建国" in text
    draft.refresh_from_db()
    q3.refresh_from_db()
    assert draft.status == Scheme.Status.APPROVED and draft.approved_by == firm.partner
    assert q3.state == QuarterState.SCHEME_APPROVED


@pytest.mark.parametrize("persona", NOT_LEADERSHIP)
def test_nobody_but_leadership_may_approve(firm, browser, draft, persona):
    assert browser(getattr(firm, persona)).post(url("approve", draft)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Scheme.Status.DRAFT and draft.approved_by is None


def test_approving_twice_from_a_stale_page_says_so_and_changes_nothing(firm, browser, draft):
    scheme_submit(scheme=draft, by=firm.executor)
    client = browser(firm.partner)
    client.post(url("approve", draft), {"comment": "first"})
    first = Scheme.objects.get(pk=draft.pk)
    page = client.post(url("approve", draft), {"comment": "second"}, follow=True)
    assert "was already approved by 王建国" in page.content.decode()
    again = Scheme.objects.get(pk=draft.pk)
    assert (again.approved_at, again.approval_comment) == (first.approved_at, "first")


def test_an_invalid_draft_is_not_approved_and_the_page_says_why(firm, browser, draft):
    SchemeItem.objects.filter(scheme=draft, position=Position.LAWYER, indicator__code="referral_rate").delete()
    client = browser(firm.executor)
    detail = client.get(f"/indicators/schemes/{draft.pk}/").content.decode()
    assert "Not ready for approval" in detail and "add up to 90 points" in detail
    page = client.post(url("submit", draft), follow=True)
    assert "cannot be submitted yet" in page.content.decode() and "add up to 90 points" in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == Scheme.Status.DRAFT


def test_a_change_after_approval_is_a_new_version_approved_again(firm, browser, approved):
    # When the execution group makes a new version
    page = browser(firm.executor).post(url("new-version", approved), follow=True)
    v2 = Scheme.objects.get(quarter=approved.quarter, version=2)
    assert "Version 2 is a draft copy" in page.content.decode()
    # and changes a target in it
    data = item_post_data(v2, Position.LAWYER, satisfaction={"target": "4.5"})
    browser(firm.executor).post(url("items", v2, "lawyer"), data)
    # Then version 1 still applies
    approved.refresh_from_db()
    assert approved.status == Scheme.Status.APPROVED
    # When the execution group submits version 2 and leadership approves it, version 1 is superseded
    browser(firm.executor).post(url("submit", v2))
    browser(firm.partner).post(url("approve", v2))
    approved.refresh_from_db()
    v2.refresh_from_db()
    assert (approved.status, v2.status) == (Scheme.Status.SUPERSEDED, Scheme.Status.APPROVED)
    assert v2.items.get(position=Position.LAWYER, indicator__code="satisfaction").target == Decimal("4.5")
    detail = browser(firm.lawyer).get(f"/indicators/schemes/{approved.pk}/").content.decode()
    assert "A newer approved version replaced this one." in detail


@pytest.mark.parametrize("persona", NOT_EXECUTION)
def test_only_the_execution_group_makes_new_versions(firm, browser, approved, persona):
    assert browser(getattr(firm, persona)).post(url("new-version", approved)).status_code == 403
    assert Scheme.objects.count() == 1


# --- What-if ---


def _contract(number, client, lawyer, signed_on):
    return Contract.objects.create(
        number=number,
        client=client,
        signed_on=signed_on,
        originating_lawyer=lawyer,
        responsible_lawyer=lawyer,
        matter="Advice",
        fee=Decimal("10000"),
    )


@pytest.fixture
def q3_data(firm):
    """Q3 2026: the lawyer wins three new clients but draws a complaint; the colleague wins one."""
    lawyer, colleague = firm.lawyer.profile, firm.colleague.profile
    for n in range(3):
        client = Client.objects.create(code=f"C{n}", name=f"客户{n}", kind=Client.Kind.ORGANISATION)
        _contract(f"H{n}", client, lawyer, datetime.date(2026, 8, 1 + n))
    other = Client.objects.create(code="C9", name="客户9", kind=Client.Kind.INDIVIDUAL)
    _contract("H9", other, colleague, datetime.date(2026, 8, 10))
    Complaint.objects.create(
        ref="K1",
        client=Client.objects.get(code="C0"),
        about=lawyer,
        handler=firm.admin_clerk.profile,
        received_at=timezone.make_aware(datetime.datetime(2026, 9, 1, 10)),
        handled_at=timezone.make_aware(datetime.datetime(2026, 9, 1, 15)),
    )


@pytest.fixture
def milder_complaints_draft(firm, approved, q3_data):
    """Version 2 of Q3 where a complaint costs far fewer points."""
    v2 = scheme_new_version(scheme=approved, by=firm.executor)
    SchemeItem.objects.filter(scheme=v2, position=Position.LAWYER, indicator__code="complaint_rate").update(
        points_per_step=Decimal("0.1")
    )
    return v2


@time_machine.travel(datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize("persona", ORGANISERS)
def test_what_if_shows_who_moves_and_writes_nothing(firm, browser, milder_complaints_draft, persona):
    from indicators.computation import results_compute

    draft = milder_complaints_draft
    before = {r.staff_id: r for r in results_compute(quarter=draft.quarter, scheme=draft.based_on)}
    after = {r.staff_id: r for r in results_compute(quarter=draft.quarter, scheme=draft)}
    lawyer_id = firm.lawyer.profile.pk
    assert after[lawyer_id].rank < before[lawyer_id].rank  # the premise: the draft lifts the lawyer
    counts = (
        Scorecard.objects.count(),
        IndicatorScore.objects.count(),
        Scheme.objects.count(),
        SchemeItem.objects.count(),
    )
    client = browser(getattr(firm, persona))
    # When an organiser previews the draft
    with CaptureQueriesContext(connection) as queries:
        page = whatif_page(client, draft)
    # Then nothing is written but the job that ran the preview
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes and all('"jobs_job"' in sql for sql in writes), writes
    assert counts == (
        Scorecard.objects.count(),
        IndicatorScore.objects.count(),
        Scheme.objects.count(),
        SchemeItem.objects.count(),
    )
    # And the lawyer's row shows the move in rank and total
    text = page.content.decode()
    movers = text[text.index('id="movers"') :]
    row = movers[movers.index("陈静") : movers.index("</tr>", movers.index("陈静"))]
    assert f"{before[lawyer_id].rank} / {before[lawyer_id].ranked_count}" in row
    assert f"{after[lawyer_id].rank} / {after[lawyer_id].ranked_count}" in row
    assert str(before[lawyer_id].total) in row and str(after[lawyer_id].total) in row
    assert "▲" in row
    # And the distribution of totals is drawn for both schemes
    assert 'id="histogram"' in text and "<svg" in text and "Distribution of totals" in text
    assert "approved scheme 2026Q3 v1 (before)" in text


@time_machine.travel(datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_what_if_of_a_first_draft_compares_with_the_scheme_it_was_copied_from(firm, browser, approved, q3_data):
    q4 = Quarter.objects.create(year=2026, number=4)
    draft = scheme_start_for_quarter(quarter=q4, by=firm.executor)
    page = whatif_page(browser(firm.partner), draft, on="2026Q3")
    text = page.content.decode()
    assert "Everyone's results on the 2026Q3 data" in text and "2026Q3 v1 (before)" in text
    # The copy is unchanged, so nobody moves.
    assert "Nobody&#x27;s total or rank changes." in text or "Nobody's total or rank changes." in text


@pytest.mark.parametrize("persona", NOT_ORGANISERS)
def test_what_if_is_for_the_execution_and_leadership_groups_only(firm, browser, milder_complaints_draft, persona):
    assert browser(getattr(firm, persona)).get(url("what-if", milder_complaints_draft)).status_code == 403
    assert browser(getattr(firm, persona)).post(url("what-if", milder_complaints_draft)).status_code == 403
    assert not Job.objects.exists()


def test_a_what_if_job_is_shown_to_its_requester_only(firm, browser, milder_complaints_draft):
    page = whatif_page(browser(firm.partner), milder_complaints_draft)
    assert page.status_code == 200 and 'id="movers"' in page.content.decode()
    job = Job.objects.get(kind="whatif")
    other = browser(firm.executor).get(url("what-if", milder_complaints_draft) + f"?job={job.pk}")
    assert other.status_code == 404
    assert browser(firm.partner).get(url("what-if", milder_complaints_draft) + "?job=x").status_code == 404


def test_what_if_of_an_approved_scheme_sends_back_to_it(firm, browser, approved):
    page = browser(firm.executor).get(url("what-if", approved), follow=True)
    assert "What-if previews a draft" in page.content.decode()


@time_machine.travel(datetime.datetime(2026, 11, 5, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_what_if_of_the_unfinished_quarter_without_data_opens_on_the_last_quarter_with_data(
    firm, browser, approved, q3_data
):
    # Given Q4 has begun but nothing is recorded for it yet, while Q3 has data
    q4 = Quarter.objects.create(year=2026, number=4)
    draft = scheme_start_for_quarter(quarter=q4, by=firm.executor)
    # When the preview opens without a choice
    text = browser(firm.partner).get(url("what-if", draft)).content.decode()
    # Then it uses Q3's data and says why
    assert "Uses the data of 2026Q3, the latest quarter with data: 2026Q4, the quarter this scheme is for" in text
    assert '<option value="2026Q3" selected>' in text and "Everyone's results on the 2026Q3 data" in text


@time_machine.travel(datetime.datetime(2026, 11, 5, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_what_if_opens_on_the_scheme_s_own_quarter_once_it_has_data(firm, browser, approved, q3_data):
    q4 = Quarter.objects.create(year=2026, number=4)
    draft = scheme_start_for_quarter(quarter=q4, by=firm.executor)
    client = Client.objects.create(code="C40", name="客户40", kind=Client.Kind.ORGANISATION)
    _contract("H40", client, firm.lawyer.profile, datetime.date(2026, 10, 20))
    text = browser(firm.partner).get(url("what-if", draft)).content.decode()
    assert "Uses the data of 2026Q4, the quarter this scheme is for." in text
    assert '<option value="2026Q4" selected>' in text
    # A quarter the reader picks is named as their choice
    text = whatif_page(browser(firm.partner), draft, on="2026Q3").content.decode()
    assert "Uses the data of 2026Q3, the quarter you chose." in text


@time_machine.travel(datetime.datetime(2026, 11, 5, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_what_if_says_when_no_quarter_has_data(firm, browser, draft):
    text = browser(firm.executor).get(url("what-if", draft)).content.decode()
    assert "No quarter has data yet: the preview uses 2026Q3" in text


def whatif_page(client, draft, *, on=""):
    """The preview as the organiser reaches it: "Preview" starts a job (in-process in tests), whose page links
    back to the figures."""
    response = client.post(url("what-if", draft), {"on": on} if on else {})
    job = Job.objects.filter(kind="whatif").latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.state == Job.State.SUCCEEDED, (job.error_key, job.error_params)
    return client.get(job.result_url)


# --- Numbers and rules in words ---


def _computed_item(scheme, *, percent):
    items = SchemeItem.objects.filter(scheme=scheme, indicator__kind=Indicator.Kind.COMPUTED).select_related(
        "indicator"
    )
    return next(item for item in items if (item.indicator.unit == "%") == percent)


def test_targets_and_steps_show_without_trailing_zeros_and_the_relative_step_says_what_it_comes_to(
    firm, browser, draft
):
    # Given a target of 4.2 with absolute steps of 0.1, and a relative step of 10 % on a target of 20 %
    plain = _computed_item(draft, percent=False)
    SchemeItem.objects.filter(pk=plain.pk).update(
        target=Decimal("4.2"), step=Decimal("0.1"), step_mode=SchemeItem.StepMode.ABSOLUTE
    )
    share = _computed_item(draft, percent=True)
    SchemeItem.objects.filter(pk=share.pk).update(
        target=Decimal("20"), step=Decimal("10"), step_mode=SchemeItem.StepMode.RELATIVE
    )
    text = browser(firm.executor).get(url("", draft)[:-1]).content.decode()
    assert "4.2000" not in text and "0.1000" not in text and ".00<" not in text
    assert ">4.2<" in text and "for every 0.1 above or below the target" in text
    assert "for every 10% of the target value by which the result is above or below it (2 percentage points)" in text
    # In Chinese too: a share of the target, and what it comes to in percentage points
    text = browser(firm.executor, "zh-hans").get(url("", draft)[:-1]).content.decode()
    assert "实际值每偏离目标值的10%（即2个百分点），加减" in text
    # And the edit form shows the same numbers
    form = browser(firm.executor).get(url("items", draft, plain.position)).content.decode()
    assert 'value="4.2"' in form and 'value="0.1"' in form and "4.2000" not in form


# --- Return with comments, and the comparison with the version before ---


@pytest.fixture
def submitted_v2(firm, approved):
    """Version 2 of Q3 with the lawyers' satisfaction target raised from 4.2 to 4.5, submitted for approval."""
    v2 = scheme_new_version(scheme=approved, by=firm.executor)
    SchemeItem.objects.filter(scheme=v2, position=Position.LAWYER, indicator__code="satisfaction").update(
        target=Decimal("4.5")
    )
    return scheme_submit(scheme=v2, by=firm.executor)


def test_a_partner_returns_a_submitted_scheme_and_the_executor_reads_why(firm, browser, submitted_v2):
    partner = browser(firm.partner)
    detail = partner.get(url("", submitted_v2)[:-1]).content.decode()
    assert "Return with comments" in detail and "Approve this scheme" in detail
    # When the partner returns it with a comment
    page = partner.post(url("return", submitted_v2), {"comment": "Keep 4.2 for one more quarter."}, follow=True)
    assert "is returned to the execution group with your comments" in page.content.decode()
    submitted_v2.refresh_from_db()
    assert submitted_v2.status == Scheme.Status.DRAFT and submitted_v2.returned_by == firm.partner
    # Then the executor sees the comment, who wrote it, and may edit and submit again
    text = browser(firm.executor).get(url("", submitted_v2)[:-1]).content.decode()
    returned = text[text.index('id="returned-comment"') :]
    assert "Returned with comments by 王建国" in returned and "Keep 4.2 for one more quarter." in returned
    assert url("items", submitted_v2, "lawyer") in text and 'id="submit-scheme"' in text
    # And the history records the submission and the return
    history = text[text.index('id="review-history"') :]
    assert "Submitted for approval" in history and "Returned with comments" in history
    # The partner is not offered a decision on a draft
    text = browser(firm.partner).get(url("", submitted_v2)[:-1]).content.decode()
    assert "has not submitted this draft yet" in text and 'id="approve-scheme"' not in text


def test_a_return_without_a_comment_is_refused_next_to_the_field(firm, browser, submitted_v2):
    response = browser(firm.partner).post(url("return", submitted_v2), {"comment": "  "})
    assert response.status_code == 400
    assert "Write what the execution group should change." in response.content.decode()
    submitted_v2.refresh_from_db()
    assert submitted_v2.status == Scheme.Status.SUBMITTED and submitted_v2.return_comment == ""


@pytest.mark.parametrize("persona", NOT_LEADERSHIP)
def test_nobody_but_leadership_returns_a_scheme(firm, browser, submitted_v2, persona):
    assert browser(getattr(firm, persona)).post(url("return", submitted_v2), {"comment": "No"}).status_code == 403
    submitted_v2.refresh_from_db()
    assert submitted_v2.status == Scheme.Status.SUBMITTED


def test_a_submitted_scheme_cannot_be_edited(firm, browser, submitted_v2):
    page = browser(firm.executor).get(url("items", submitted_v2, "lawyer"), follow=True)
    assert "cannot be edited until the leadership group approves it or returns it" in page.content.decode()


@pytest.mark.parametrize("persona", ORGANISERS)
def test_the_comparison_puts_the_approved_version_and_the_new_one_side_by_side(
    firm, browser, approved, submitted_v2, persona
):
    client = browser(getattr(firm, persona))
    detail = client.get(url("", submitted_v2)[:-1]).content.decode()
    assert "Compare with 2026Q3 v1" in detail and url("compare", submitted_v2) in detail
    text = client.get(url("compare", submitted_v2)).content.decode()
    assert "Before: 2026Q3 v1 (approved). After: 2026Q3 v2." in text and "1 difference." in text
    lawyers = text[text.index('id="compare-lawyer"') : text.index("</section>", text.index('id="compare-lawyer"'))]
    row = lawyers[lawyers.index('data-indicator="satisfaction"') :]
    row = row[: row.index("</tr>")]
    assert "compare-changed" in lawyers and ">4.2<" in row and "4.5</td>" in row and "compare-diff" in row
    # Only the differences, on request
    only = client.get(url("compare", submitted_v2) + "?only=changes").content.decode()
    assert 'data-indicator="satisfaction"' in only and 'data-indicator="new_clients"' not in only


def test_a_new_quarter_s_draft_is_compared_with_the_previous_quarter_s_scheme(firm, browser, approved):
    q4 = Quarter.objects.create(year=2026, number=4)
    draft = scheme_start_for_quarter(quarter=q4, by=firm.executor)
    text = browser(firm.partner).get(url("compare", draft)).content.decode()
    assert "Before: 2026Q3 v1 (approved). After: 2026Q4 v1." in text and "0 differences." in text


def test_the_firm_s_first_scheme_has_nothing_to_compare_with(firm, browser, draft):
    text = browser(firm.executor).get(url("compare", draft)).content.decode()
    assert 'id="compare-none"' in text


@pytest.mark.parametrize("persona", NOT_ORGANISERS)
def test_the_comparison_is_for_the_execution_and_leadership_groups_only(firm, browser, approved, persona):
    assert browser(getattr(firm, persona)).get(url("compare", approved)).status_code == 403


def test_home_pages_ask_the_partner_to_decide_a_submitted_scheme_and_the_executor_to_rework_a_returned_one(firm, draft):
    from indicators.schemes import scheme_return
    from portal.home import home_tasks

    def titles(user):
        return [task["title"] for task in home_tasks(user=user)]

    assert "Approve the scheme of 2026Q3" not in titles(firm.partner)  # a draft still being prepared
    scheme_submit(scheme=draft, by=firm.executor)
    assert "Approve the scheme of 2026Q3" in titles(firm.partner)
    scheme_return(scheme=draft, by=firm.partner, comment="Lower the revenue target.")
    assert "Approve the scheme of 2026Q3" not in titles(firm.partner)
    assert "Rework the scheme of 2026Q3" in titles(firm.executor)


@time_machine.travel(datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_what_if_names_the_calibration_rule_before_and_after(firm, browser, approved, q3_data):
    # Given a new version of the Q3 scheme that centres each rater (regulation 三.4, docs/indicators.md)
    draft = scheme_new_version(scheme=approved, by=firm.executor)
    draft.parameters = {**(draft.parameters or {}), "rating_calibration": "centre"}
    draft.save(update_fields=["parameters"])
    # When the execution group previews it
    text = browser(firm.executor).get(url("what-if", draft)).content.decode()
    # Then the page says the preview includes the change of rule
    calibration = text[text.index('id="whatif-calibration"') :]
    calibration = calibration[: calibration.index("</p>")]
    assert "Rater calibration changes" in calibration
    assert "None: every score counts as given (before)" in calibration
    assert "Centre each rater on the round&#x27;s average (after)" in calibration


@time_machine.travel(datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_what_if_names_an_unchanged_calibration_rule(firm, browser, milder_complaints_draft):
    text = browser(firm.partner).get(url("what-if", milder_complaints_draft)).content.decode()
    calibration = text[text.index('id="whatif-calibration"') :]
    assert "Rater calibration: None: every score counts as given" in calibration[: calibration.index("</p>")]
