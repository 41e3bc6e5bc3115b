"""The notices of corrections, in each recipient's language, written in the correcting transaction (the outbox,
notifications.services.notice_write): a corrected result, a correction awaiting approval."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.services import notice_write
from reviews.models import LEADERSHIP_GROUP


def corrected_result_notice(*, correction, old, new):
    """Tell the person their result is now version N, what moved, and which correction made it."""
    quarter = correction.quarter

    def compose():
        title = _("Your result for %(quarter)s was corrected") % {"quarter": quarter.code}
        lines = [
            _("Correction #%(pk)s changed the results of %(quarter)s; your result is now version %(version)s.")
            % {"pk": correction.pk, "quarter": quarter.code, "version": new.version},
            _("Reason: %(reason)s") % {"reason": correction.reason},
            _("Total: %(old)s → %(new)s") % {"old": old.total, "new": new.total},
            _("Grade: %(old)s → %(new)s") % {"old": old.grade_label, "new": new.grade_label},
            _("Rank: %(old)s / %(old_n)s → %(new)s / %(new_n)s")
            % {"old": old.rank, "old_n": old.ranked_count, "new": new.rank, "new_n": new.ranked_count},
        ]
        return title, "\n".join(lines)

    notice_write(
        user=new.staff.user,
        kind="scorecard_corrected",
        object_key=f"scorecard:{new.pk}",
        compose=compose,
        url=reverse("portal:scorecard", args=[new.pk]),
        quarter=quarter,
    )


def approval_requested_notice(*, correction, moved: int):
    """Ask the leadership group (but whoever may not approve it) to read and approve the correction."""
    handler_id = getattr(getattr(correction, "appeal", None), "handler_id", None)
    excluded = {correction.prepared_by_id, handler_id}
    if correction.subject is not None:
        excluded.add(correction.subject.user_id)
    leaders = get_user_model().objects.filter(groups__name=LEADERSHIP_GROUP, is_active=True).exclude(pk__in=excluded)

    def compose():
        title = _("Correction #%(pk)s of %(quarter)s awaits your approval") % {
            "pk": correction.pk,
            "quarter": correction.quarter.code,
        }
        body = _(
            "The correction changes the results of %(n)s people. Read its preview and approve or return it. "
            "Reason: %(reason)s"
        ) % {"n": moved, "reason": correction.reason}
        return title, body

    for user in leaders.select_related("profile"):
        notice_write(
            user=user,
            kind="correction_approval",
            # One per submission: a returned correction submitted again asks again.
            object_key=f"correction:{correction.pk}:{correction.submitted_at.isoformat()}",
            compose=compose,
            url=reverse("results:correction", args=[correction.pk]),
            quarter=correction.quarter,
        )
