"""The notices of corrections, in each recipient's language: a corrected result, a correction awaiting approval."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.services import language_of, notify
from reviews.models import LEADERSHIP_GROUP


def _send(user, *, kind, compose, url):
    """A notification and an e-mail once the correction's transaction has committed."""

    def send():
        with translation.override(language_of(user)):
            title, body = compose()
        notify(user=user, kind=kind, title=title, body=body, url=url, email=bool(user.email))

    transaction.on_commit(send)


def corrected_result_notice(*, correction, old, new):
    """Tell the person their result is now version N, what moved, and which correction made it."""
    user = new.staff.user
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

    _send(user, kind="scorecard_corrected", compose=compose, url=reverse("reviews:scorecard", args=[new.pk]))


def approval_requested_notice(*, correction, moved: int):
    """Ask the leadership group (but whoever may not approve it) to read and approve the correction."""
    handler_id = getattr(getattr(correction, "appeal", None), "handler_id", None)
    excluded = {correction.prepared_by_id, handler_id}
    if correction.subject is not None:
        excluded.add(correction.subject.user_id)
    leaders = get_user_model().objects.filter(groups__name=LEADERSHIP_GROUP, is_active=True).exclude(pk__in=excluded)
    url = reverse("results:correction", args=[correction.pk])

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
        _send(user, kind="correction_approval", compose=compose, url=url)
