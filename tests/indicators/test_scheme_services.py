"""The scheme services: start from the last approved scheme, edit drafts, approve, new versions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from indicators.defaults import DEFAULT_ITEMS
from indicators.models import GradeBand, Indicator, Scheme, SchemeItem
from indicators.schemes import (
    SchemeStateError,
    scheme_approve,
    scheme_grade_bands_update,
    scheme_items_update,
    scheme_new_version,
    scheme_parameters_update,
    scheme_problems,
    scheme_start_for_quarter,
    scheme_submit,
)
from reviews.models import Position, Quarter, QuarterState


def lawyer_rows(scheme, **changes):
    """The scheme's lawyer items as service rows, with {code: {field: value}} changes applied."""
    rows = []
    for item in scheme.items.filter(position=Position.LAWYER).select_related("indicator"):
        row = {
            "indicator": item.indicator,
            "weight": item.weight,
            "target": item.target,
            "step": item.step,
            "step_mode": item.step_mode,
            "points_per_step": item.points_per_step,
            "bonus_cap": item.bonus_cap,
            "no_data_policy": item.no_data_policy,
            "rater_weights": item.rater_weights,
        }
        row.update(changes.get(item.indicator.code, {}))
        rows.append(row)
    return rows


@pytest.fixture(autouse=True)
def in_english():
    # Messages are asserted in English whatever catalogue is compiled.
    with translation.override("en"):
        yield


@pytest.fixture
def q3(db):
    return Quarter.objects.create(year=2026, number=3)


@pytest.fixture
def draft(firm, q3):
    return scheme_start_for_quarter(quarter=q3, by=firm.executor)


def submit(scheme, firm):
    """The execution group submits the draft: the leadership group decides only on a submitted scheme."""
    return scheme_submit(scheme=scheme, by=firm.executor)


def test_the_first_scheme_of_the_firm_starts_from_the_default(firm, draft):
    assert draft.status == Scheme.Status.DRAFT and draft.version == 1
    lawyer_weights = {item.indicator.code: item.weight for item in draft.items.filter(position=Position.LAWYER)}
    assert lawyer_weights == {entry["indicator"]: entry["weight"] for entry in DEFAULT_ITEMS[Position.LAWYER]}
    assert [band.label_en for band in draft.grade_bands.order_by("-min_total")] == [
        "Excellent",
        "Good",
        "Satisfactory",
        "Needs improvement",
    ]
    assert scheme_problems(scheme=draft) == []


def test_a_new_quarter_copies_the_last_approved_scheme_not_a_later_draft(firm, draft):
    # Given Q3's scheme changed (lawyer satisfaction target 4.5) and approved
    scheme_items_update(
        scheme=draft,
        position=Position.LAWYER,
        items=lawyer_rows(draft, satisfaction={"target": Decimal("4.5")}),
        by=firm.executor,
    )
    scheme_approve(scheme=submit(draft, firm), by=firm.partner)
    # and a v2 draft of Q3 that nobody approved changes the target again
    v2 = scheme_new_version(scheme=draft, by=firm.executor)
    scheme_items_update(
        scheme=v2,
        position=Position.LAWYER,
        items=lawyer_rows(v2, satisfaction={"target": Decimal("3")}),
        by=firm.executor,
    )
    # When Q1 of the next year (Q4 skipped) starts its scheme
    q1 = Quarter.objects.create(year=2027, number=1)
    scheme = scheme_start_for_quarter(quarter=q1, by=firm.executor)
    # Then it is a draft copy of Q3's approved version
    assert scheme.based_on == draft and scheme.status == Scheme.Status.DRAFT and scheme.version == 1
    satisfaction = scheme.items.get(position=Position.LAWYER, indicator__code="satisfaction")
    assert satisfaction.target == Decimal("4.5")
    assert scheme.items.count() == draft.items.count()
    assert scheme.grade_bands.count() == 4
    assert "2026Q3" in scheme.note


def test_a_quarter_starts_its_scheme_only_once(firm, draft, q3):
    with pytest.raises(SchemeStateError):
        scheme_start_for_quarter(quarter=q3, by=firm.executor)
    assert q3.schemes.count() == 1


def test_only_the_execution_group_starts_and_edits_schemes(firm, q3):
    with pytest.raises(PermissionDenied):
        scheme_start_for_quarter(quarter=q3, by=firm.partner)
    draft = scheme_start_for_quarter(quarter=q3, by=firm.executor)
    with pytest.raises(PermissionDenied):
        scheme_items_update(scheme=draft, position=Position.LAWYER, items=lawyer_rows(draft), by=firm.lawyer)


def test_weights_that_do_not_add_up_to_100_are_refused_and_nothing_changes(firm, draft):
    rows = lawyer_rows(draft, new_clients={"weight": Decimal("20")})  # 105 points
    with pytest.raises(ValidationError) as error:
        scheme_items_update(scheme=draft, position=Position.LAWYER, items=rows, by=firm.executor)
    assert "105" in " ".join(error.value.messages) and "Lawyer" in " ".join(error.value.messages)
    assert draft.items.get(position=Position.LAWYER, indicator__code="new_clients").weight == Decimal("15")


def test_a_zero_target_with_a_relative_step_is_refused(firm, draft):
    rows = lawyer_rows(draft, complaint_rate={"step_mode": SchemeItem.StepMode.RELATIVE})
    with pytest.raises(ValidationError) as error:
        scheme_items_update(scheme=draft, position=Position.LAWYER, items=rows, by=firm.executor)
    assert "zero target" in " ".join(error.value.messages)
    assert draft.items.get(position=Position.LAWYER, indicator__code="complaint_rate").step_mode == "absolute"


def test_an_indicator_can_be_dropped_and_its_weight_moved(firm, draft):
    rows = [
        row
        for row in lawyer_rows(draft, new_clients={"weight": Decimal("20")})
        if row["indicator"].code != "complaint_timeliness"
    ]
    scheme_items_update(scheme=draft, position=Position.LAWYER, items=rows, by=firm.executor)
    codes = set(draft.items.filter(position=Position.LAWYER).values_list("indicator__code", flat=True))
    assert "complaint_timeliness" not in codes and len(codes) == 8
    # The change is in the scheme's change log.
    assert "lawyer/complaint_timeliness" in scheme_change_keys(draft)


def scheme_change_keys(scheme):
    from django.contrib.contenttypes.models import ContentType

    from clients.models import ChangeRecord

    keys = set()
    for record in ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Scheme), object_id=str(scheme.pk)
    ):
        keys.update(record.changes)
    return keys


def test_rater_weights_are_stored_for_rated_indicators_and_refused_elsewhere(firm, draft):
    rows = lawyer_rows(draft, communication={"rater_weights": {"superior": Decimal("2"), "peer": Decimal("1")}})
    scheme_items_update(scheme=draft, position=Position.LAWYER, items=rows, by=firm.executor)
    item = draft.items.get(position=Position.LAWYER, indicator__code="communication")
    assert item.rater_weights == {"superior": "2", "peer": "1"}
    rows = lawyer_rows(draft, new_clients={"rater_weights": {"peer": Decimal("1")}})
    with pytest.raises(ValidationError):
        scheme_items_update(scheme=draft, position=Position.LAWYER, items=rows, by=firm.executor)


@pytest.mark.parametrize(
    ("floors", "fragment"),
    [
        (["0", "60", "60"], "same total"),  # duplicate floor
        (["10", "60", "80"], "start at 0"),  # a total below 10 would have no grade
        (["0", "80", "60"], "lowest up"),  # not ascending
    ],
)
def test_bad_grade_bands_are_refused(firm, draft, floors, fragment):
    bands = [{"min_total": Decimal(f), "label_zh": f"档{f}", "label_en": f"Band {f}"} for f in floors]
    with pytest.raises(ValidationError) as error:
        scheme_grade_bands_update(scheme=draft, bands=bands, by=firm.executor)
    assert fragment in " ".join(error.value.messages)
    assert draft.grade_bands.count() == 4


def test_grade_bands_and_parameters_can_be_edited_in_a_draft(firm, draft):
    bands = [
        {"min_total": Decimal("0"), "label_zh": "不合格", "label_en": "Fail"},
        {"min_total": Decimal("70"), "label_zh": "合格", "label_en": "Pass"},
    ]
    scheme_grade_bands_update(scheme=draft, bands=bands, by=firm.executor)
    assert list(draft.grade_bands.order_by("min_total").values_list("label_en", flat=True)) == ["Fail", "Pass"]
    scheme_parameters_update(
        scheme=draft,
        parameters={
            "lookback_quarters": 4,
            "complaint_deadline_hours": 24,
            "rating_scale": 10,
            "rating_calibration": "centre",
        },
        note="Shorter deadline",
        by=firm.executor,
    )
    draft.refresh_from_db()
    assert draft.parameters == {
        "lookback_quarters": 4,
        "complaint_deadline_hours": 24,
        "rating_scale": 10,
        "rating_calibration": "centre",
    }
    assert draft.note == "Shorter deadline"


def test_an_unknown_calibration_rule_is_refused_and_nothing_changes(firm, draft):
    before = dict(draft.parameters)
    with pytest.raises(ValidationError) as refused:
        scheme_parameters_update(
            scheme=draft,
            parameters={**before, "rating_calibration": "z-score"},
            note="",
            by=firm.executor,
        )
    assert "rating_calibration" in refused.value.message_dict
    draft.refresh_from_db()
    assert draft.parameters == before


def test_leadership_approves_and_the_quarter_moves_to_scheme_approved(firm, draft, q3):
    approved = scheme_approve(scheme=submit(draft, firm), by=firm.partner, comment="Agreed at the partners' meeting")
    approved.refresh_from_db()
    q3.refresh_from_db()
    assert approved.status == Scheme.Status.APPROVED
    assert approved.approved_by == firm.partner and approved.approved_at is not None
    assert approved.approval_comment == "Agreed at the partners' meeting"
    assert q3.state == QuarterState.SCHEME_APPROVED
    # The quarter's history says who moved it, and why.
    event = q3.events.get()
    assert (event.from_state, event.to_state, event.action) == ("scheme_draft", "scheme_approved", "approve_scheme")
    assert event.by == firm.partner and event.comment == "Agreed at the partners' meeting"


def test_only_the_leadership_group_approves(firm, draft):
    submit(draft, firm)
    for user in (firm.executor, firm.lawyer, firm.business_clerk):
        with pytest.raises(PermissionDenied):
            scheme_approve(scheme=draft, by=user)
    draft.refresh_from_db()
    assert draft.status == Scheme.Status.SUBMITTED


def test_an_invalid_scheme_cannot_be_submitted_nor_approved(firm, draft, q3):
    weight = SchemeItem.objects.get(scheme=draft, position=Position.ASSISTANT, indicator__code="communication").weight
    # Given a weight broken behind the forms' back
    SchemeItem.objects.filter(scheme=draft, position=Position.ASSISTANT, indicator__code="communication").update(
        weight=Decimal("5")
    )
    with pytest.raises(ValidationError) as error:
        submit(draft, firm)
    assert "Assistant" in " ".join(error.value.messages)
    draft.refresh_from_db()
    assert draft.status == Scheme.Status.DRAFT
    # And one broken after its submission is not approved either
    SchemeItem.objects.filter(scheme=draft, position=Position.ASSISTANT, indicator__code="communication").update(
        weight=weight
    )
    submit(draft, firm)
    SchemeItem.objects.filter(scheme=draft, position=Position.ASSISTANT, indicator__code="communication").update(
        weight=Decimal("5")
    )
    with pytest.raises(ValidationError):
        scheme_approve(scheme=draft, by=firm.partner)
    draft.refresh_from_db()
    q3.refresh_from_db()
    assert draft.status == Scheme.Status.SUBMITTED and q3.state == QuarterState.SCHEME_DRAFT


def test_a_second_approval_says_so_and_changes_nothing(firm, draft):
    first = scheme_approve(scheme=submit(draft, firm), by=firm.partner, comment="first")
    # When another partner (or the same, from a stale page) approves the same version again
    with pytest.raises(SchemeStateError) as error:
        scheme_approve(scheme=draft, by=firm.partner, comment="second")
    assert "already approved" in str(error.value) and "王建国" in str(error.value)
    again = Scheme.objects.get(pk=draft.pk)
    assert again.approved_at == first.approved_at and again.approval_comment == "first"


def test_an_approved_scheme_cannot_be_edited_through_the_services(firm, draft):
    scheme_approve(scheme=submit(draft, firm), by=firm.partner)
    rows = lawyer_rows(draft, satisfaction={"target": Decimal("4.8")})
    with pytest.raises(SchemeStateError):
        scheme_items_update(scheme=draft, position=Position.LAWYER, items=rows, by=firm.executor)
    with pytest.raises(SchemeStateError):
        scheme_grade_bands_update(
            scheme=draft, bands=[{"min_total": Decimal("0"), "label_zh": "甲", "label_en": "A"}], by=firm.executor
        )
    with pytest.raises(SchemeStateError):
        scheme_parameters_update(
            scheme=draft,
            parameters={"lookback_quarters": 4, "complaint_deadline_hours": 24, "rating_scale": 5},
            note="",
            by=firm.executor,
        )
    assert draft.items.get(position=Position.LAWYER, indicator__code="satisfaction").target == Decimal("4.2")
    assert GradeBand.objects.filter(scheme=draft).count() == 4


def test_a_new_version_replaces_the_approved_one_only_when_approved(firm, draft, q3):
    v1 = scheme_approve(scheme=submit(draft, firm), by=firm.partner)
    # When the execution group makes a new version and changes it
    v2 = scheme_new_version(scheme=v1, by=firm.executor)
    assert (v2.version, v2.status, v2.based_on) == (2, Scheme.Status.DRAFT, v1)
    scheme_items_update(
        scheme=v2,
        position=Position.LAWYER,
        items=lawyer_rows(v2, satisfaction={"target": Decimal("4.5")}),
        by=firm.executor,
    )
    # Then v1 still applies while v2 waits
    v1.refresh_from_db()
    assert v1.status == Scheme.Status.APPROVED
    # And a second new version is refused while v2 is a draft
    with pytest.raises(SchemeStateError):
        scheme_new_version(scheme=v1, by=firm.executor)
    # When leadership approves v2
    scheme_approve(scheme=submit(v2, firm), by=firm.partner)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.status == Scheme.Status.SUPERSEDED and v1.superseded_at is not None
    assert v2.status == Scheme.Status.APPROVED
    assert v1.items.get(position=Position.LAWYER, indicator__code="satisfaction").target == Decimal("4.2")
    assert v2.items.get(position=Position.LAWYER, indicator__code="satisfaction").target == Decimal("4.5")
    q3.refresh_from_db()
    assert q3.state == QuarterState.SCHEME_APPROVED


def test_a_draft_cannot_be_the_start_of_a_new_version(firm, draft):
    with pytest.raises(SchemeStateError):
        scheme_new_version(scheme=draft, by=firm.executor)


def test_no_new_version_once_the_quarter_results_are_published(firm, draft, q3):
    scheme_approve(scheme=submit(draft, firm), by=firm.partner)
    Quarter.objects.filter(pk=q3.pk).update(state=QuarterState.PUBLISHED)
    with pytest.raises(SchemeStateError) as error:
        scheme_new_version(scheme=draft, by=firm.executor)
    assert "published" in str(error.value)
    assert q3.schemes.count() == 1


def test_approving_a_new_version_later_in_the_quarter_leaves_the_state_alone(firm, draft, q3):
    scheme_approve(scheme=submit(draft, firm), by=firm.partner)
    Quarter.objects.filter(pk=q3.pk).update(state=QuarterState.COLLECTING)
    v2 = scheme_new_version(scheme=draft, by=firm.executor)
    scheme_approve(scheme=submit(v2, firm), by=firm.partner)
    q3.refresh_from_db()
    assert q3.state == QuarterState.COLLECTING
    assert list(q3.events.values_list("action", flat=True)) == ["approve_scheme"]  # only the first approval


def test_the_catalogue_has_nine_indicators(db):
    assert Indicator.objects.count() == 9


@pytest.mark.django_db(transaction=True)
def test_two_partners_approving_at_the_same_moment_approve_once(firm):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")
    # Given a draft, and a second partner
    quarter = Quarter.objects.create(year=2026, number=3)
    draft = submit(scheme_start_for_quarter(quarter=quarter, by=firm.executor), firm)
    second = firm.superior
    second.groups.add(*firm.partner.groups.all())
    outcomes = []
    barrier = threading.Barrier(2)

    def approve(user):
        try:
            barrier.wait()
            with translation.override("en"):
                scheme_approve(scheme=draft, by=user, comment=user.username)
            outcomes.append("approved")
        except SchemeStateError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    # When both click Approve at once
    threads = [threading.Thread(target=approve, args=(user,)) for user in (firm.partner, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then one approval counts, the other is told, and the quarter moved once
    assert sorted(outcomes) == ["approved", "refused"]
    assert quarter.events.count() == 1
    assert Scheme.objects.get(pk=draft.pk).status == Scheme.Status.APPROVED


def test_a_partner_who_also_edits_schemes_cannot_approve_their_own_edit(firm, draft, client_for):
    # Given the partner sits in both groups and changed the draft's parameters last
    from django.contrib.auth.models import Group
    from django.urls import reverse

    from tests.personas import make_person

    firm.partner.groups.add(Group.objects.get(name="execution"))
    scheme_parameters_update(
        scheme=draft,
        parameters={**draft.parameters, "lookback_quarters": 3},
        note="Three quarters back",
        by=firm.partner,
    )
    submit(draft, firm)
    # When they approve it, on the page and in the service
    browser = client_for(firm.partner)
    browser.cookies["django_language"] = "en"
    response = browser.post(reverse("indicators:scheme_approve", args=[draft.pk]), follow=True)
    # Then the rule is named and the scheme stays a draft
    assert (
        "You drafted or last edited version 1 of the 2026Q3 scheme, so you cannot approve it"
        in response.content.decode()
    )
    with pytest.raises(SchemeStateError, match="four eyes"):
        scheme_approve(scheme=draft, by=firm.partner)
    draft.refresh_from_db()
    assert (draft.status, draft.last_edited_by) == (Scheme.Status.SUBMITTED, firm.partner)
    # Another leadership member may approve it
    other = make_person("partner2", "孟华", "lawyer", firm.litigation, assessed=False)
    other.groups.add(Group.objects.get(name="leadership"))
    assert scheme_approve(scheme=draft, by=other).status == Scheme.Status.APPROVED


def test_the_drafter_cannot_approve_the_scheme_they_started(firm, q3):
    from django.contrib.auth.models import Group

    firm.partner.groups.add(Group.objects.get(name="execution"))
    scheme = submit(scheme_start_for_quarter(quarter=q3, by=firm.partner), firm)
    with pytest.raises(SchemeStateError, match="drafted or last edited"):
        scheme_approve(scheme=scheme, by=firm.partner)
    assert Scheme.objects.get(pk=scheme.pk).status == Scheme.Status.SUBMITTED


# --- Submitted, returned with comments, submitted again ---


def test_a_returned_scheme_goes_back_to_the_execution_group_with_the_comment_and_is_submitted_again(firm, draft, q3):
    from indicators.models import SchemeEvent
    from indicators.schemes import scheme_return

    # Given the execution group submitted the draft: it is frozen
    submit(draft, firm)
    with pytest.raises(SchemeStateError, match="submitted for approval and can no longer be edited"):
        scheme_items_update(scheme=draft, position=Position.LAWYER, items=lawyer_rows(draft), by=firm.executor)
    # When a partner returns it with comments
    returned = scheme_return(scheme=draft, by=firm.partner, comment="  Satisfaction target too low.  ")
    # Then it is a draft again, with who, when and why recorded
    assert returned.status == Scheme.Status.DRAFT
    assert (returned.returned_by, returned.return_comment) == (firm.partner, "Satisfaction target too low.")
    # And the execution group edits and submits it again, and another decision approves it
    scheme_items_update(
        scheme=draft,
        position=Position.LAWYER,
        items=lawyer_rows(draft, satisfaction={"target": Decimal("4.5")}),
        by=firm.executor,
    )
    submit(draft, firm)
    scheme_approve(scheme=draft, by=firm.partner, comment="Fine now.")
    q3.refresh_from_db()
    assert q3.state == QuarterState.SCHEME_APPROVED
    history = [(event.action, event.by, event.comment) for event in SchemeEvent.objects.filter(scheme=draft)]
    assert history == [
        ("submit", firm.executor, ""),
        ("return", firm.partner, "Satisfaction target too low."),
        ("submit", firm.executor, ""),
        ("approve", firm.partner, "Fine now."),
    ]


def test_a_return_needs_a_comment_and_a_leadership_member_and_changes_nothing_otherwise(firm, draft):
    from indicators.schemes import scheme_return

    submit(draft, firm)
    with pytest.raises(ValidationError) as error:
        scheme_return(scheme=draft, by=firm.partner, comment="   ")
    assert "Write what the execution group should change." in " ".join(error.value.messages)
    for user in (firm.executor, firm.lawyer):
        with pytest.raises(PermissionDenied):
            scheme_return(scheme=draft, by=user, comment="No")
    draft.refresh_from_db()
    assert (draft.status, draft.returned_by, draft.return_comment) == (Scheme.Status.SUBMITTED, None, "")
    assert not draft.events.filter(action="return").exists()


def test_only_a_submitted_scheme_is_returned_or_approved(firm, draft):
    from indicators.schemes import scheme_return

    with pytest.raises(SchemeStateError, match="has not been submitted for approval, so there is nothing to return"):
        scheme_return(scheme=draft, by=firm.partner, comment="No")
    with pytest.raises(SchemeStateError, match="has not been submitted for approval yet, so it cannot be approved"):
        scheme_approve(scheme=draft, by=firm.partner)
    assert Scheme.objects.get(pk=draft.pk).status == Scheme.Status.DRAFT


def test_only_the_execution_group_submits_and_nobody_returns_what_they_prepared(firm, q3):
    from django.contrib.auth.models import Group

    from indicators.schemes import scheme_return

    draft = scheme_start_for_quarter(quarter=q3, by=firm.executor)
    for user in (firm.partner, firm.lawyer):
        with pytest.raises(PermissionDenied):
            scheme_submit(scheme=draft, by=user)
    # A partner who also sits in the execution group and submitted it neither returns nor approves it
    firm.partner.groups.add(Group.objects.get(name="execution"))
    partner = type(firm.partner).objects.get(pk=firm.partner.pk)  # roles are read once per user object
    scheme_submit(scheme=draft, by=partner)
    with pytest.raises(SchemeStateError, match="so you cannot return it"):
        scheme_return(scheme=draft, by=partner, comment="Mine")
    with pytest.raises(SchemeStateError, match="four eyes"):
        scheme_approve(scheme=draft, by=partner)
    assert Scheme.objects.get(pk=draft.pk).status == Scheme.Status.SUBMITTED
