"""The ratings reminder rule (rated indicators, regulation 三.4), registered with notifications.reminders from
IndicatorsConfig.ready()."""

import datetime
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators.models import RatingAssignment, RatingRound
from lawfirm_kpi.text import sentences_join
from notifications.reminders import DAYS_BEFORE, Reminder
from reviews.deadlines import local_date


def rating_reminders(today: datetime.date) -> list[Reminder]:
    """Raters with open assignments (score still empty): 2 days before the round closes and on its last day;
    for a round without a closing date, every Monday."""
    reminders = []
    for rating_round in RatingRound.objects.filter(closed_at__isnull=True).select_related("quarter"):
        if rating_round.closes_on is not None:
            if today not in (rating_round.closes_on - datetime.timedelta(days=DAYS_BEFORE), rating_round.closes_on):
                continue
        elif today.weekday() != 0 or local_date(rating_round.opened_at) >= today:
            continue
        open_by_rater = defaultdict(int)
        for rater_id in RatingAssignment.objects.filter(round=rating_round, score__isnull=True).values_list(
            "rater_id", flat=True
        ):
            open_by_rater[rater_id] += 1
        raters = (
            get_user_model()
            .objects.filter(profile__pk__in=list(open_by_rater), is_active=True)
            .select_related("profile")
        )
        for user in raters.order_by("pk"):
            reminders.append(
                Reminder(
                    "ratings_open",
                    f"round:{rating_round.pk}",
                    today,
                    user,
                    reverse("indicators:ratings_todo"),
                    _compose_ratings(rating_round, open_by_rater[user.profile.pk]),
                    quarter=rating_round.quarter,
                )
            )
    return reminders


def _compose_ratings(rating_round, count):
    def compose():
        title = _("Ratings for %(quarter)s wait for you") % {"quarter": rating_round.quarter.code}
        body = ngettext("You have %(n)d rating still to give.", "You have %(n)d ratings still to give.", count) % {
            "n": count
        }
        if rating_round.closes_on:
            body = sentences_join(
                [body, _("The round closes on %(date)s.") % {"date": date_format(rating_round.closes_on)}]
            )
        return title, body

    return compose
