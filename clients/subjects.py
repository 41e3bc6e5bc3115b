"""No one acts on themselves (principle 一.3, fairness): nobody enters or changes a record that feeds their own score.

A record's subjects are the people whose indicators it counts towards (docs/indicators.md): a complaint counts for
the person it is about and, for handling timeliness, its handler; a survey for the person surveyed; a revenue entry
for the person credited; a contract for its originating and its responsible lawyer (new clients, new-client revenue,
repeat engagements). A clerk who is also assessed — the administrative clerk handles complaints — leaves their own
records to another clerk. The data pages, the admin and the imports all ask this module.
"""

from django.utils.translation import gettext as _

from clients.models import Complaint, Contract, RevenueEntry, SatisfactionSurvey

SUBJECT_FIELDS = {
    Complaint: ("about", "handler"),
    SatisfactionSurvey: ("staff",),
    RevenueEntry: ("credited_to",),
    Contract: ("originating_lawyer", "responsible_lawyer"),
}


def own_profile_id(by):
    """The staff profile id of the person acting, or None (a command, a technical administrator)."""
    if by is None or not getattr(by, "is_authenticated", False):
        return None
    profile = getattr(by, "profile", None)
    return profile.pk if profile is not None else None


def own_record_refusals(*, model, by, before: dict | None, after: dict) -> dict[str, str]:
    """{field: message} for each subject field that is the acting person, before or after the change.

    before/after map a subject field's name to a staff profile id (or instance); before is None for a new record.
    """
    me = own_profile_id(by)
    if me is None:
        return {}
    refusals = {}
    for field in SUBJECT_FIELDS.get(model, ()):
        values = [after.get(field)] + ([before.get(field)] if before is not None else [])
        if any(getattr(value, "pk", value) == me for value in values if value is not None):
            refusals[field] = _(
                "This record counts towards your own score (%(field)s is you), so you cannot enter or change it: "
                "another clerk of the department does (regulation 1.3, fairness)."
            ) % {"field": model._meta.get_field(field).verbose_name}
    return refusals


def subject_ids(instance) -> dict:
    """The stored subject ids of a record, by field name."""
    return {field: getattr(instance, f"{field}_id") for field in SUBJECT_FIELDS.get(type(instance), ())}
