"""Load the demo firm (run by `make run` after migrate): idempotent, deterministic for a reference date."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from demo.firm import DEMO_PASSWORD, STAFF, demo_firm_seed
from demo.quarters import demo_quarters_run

# The fixed demo logins, one per role: (role, username); the roles are translated when printed.
DEMO_LOGINS = [
    (gettext_noop("Partner (leadership group)"), "partner"),
    (gettext_noop("Administrative supervisor (execution group)"), "executor"),
    (gettext_noop("Business department clerk"), "bizclerk"),
    (gettext_noop("Finance department clerk"), "finclerk"),
    (gettext_noop("Administrative department clerk"), "admclerk"),
    (gettext_noop("Group head (senior lawyer)"), "senior"),
    (gettext_noop("Lawyer"), "lawyer"),
    (gettext_noop("Assistant"), "assistant"),
]


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("--today must be a date like 2026-11-30, not %(value)r.") % {"value": value}) from error


class Command(BaseCommand):
    help = "Create the demo firm: staff, clients, contracts, revenue, complaints and surveys for recent quarters."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete all people and department data first, then seed again."
        )
        parser.add_argument("--today", help="Reference date YYYY-MM-DD (default: today in the firm's time zone).")

    def handle(self, *args, **options):
        today = (
            _date(options["today"])
            if options["today"]
            else timezone.localdate(timezone.now(), ZoneInfo(settings.TIME_ZONE))
        )
        result = demo_firm_seed(today=today, reset=options["reset"])
        if not result.created:
            self.stdout.write(
                _("The firm already has people or department data; nothing was changed. Use --reset to replace it.")
            )
            return
        counts = result.counts
        states = demo_quarters_run(today=today)
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo firm %(firm)s created for the reference date %(today)s.")
                % {"firm": settings.FIRM_NAME, "today": today.isoformat()}
            )
        )
        self.stdout.write(
            _(
                "%(departments)d departments, %(staff)d staff (%(assessed)d assessed), %(leadership)d in the "
                "leadership group, %(execution)d in the execution group."
            )
            % counts
        )
        self.stdout.write(
            _(
                "%(clients)d clients, %(contracts)d contracts, %(revenue)d revenue entries, %(complaints)d "
                "complaints (%(open_complaints)d open), %(surveys)d surveys, %(quarters)d quarters."
            )
            % counts
        )
        for code, figures in result.per_quarter.items():
            self.stdout.write(
                _(
                    "  %(quarter)s: %(contracts)d contracts, %(revenue)d revenue entries, %(complaints)d complaints, "
                    "%(surveys)d surveys"
                )
                % {"quarter": code, **figures}
            )
        for code, state in states.items():
            self.stdout.write(_("  %(quarter)s is now: %(state)s") % {"quarter": code, "state": state})
        names = {row[0]: row[1] for row in STAFF}
        self.stdout.write(_("Demo logins (password %(password)s):") % {"password": DEMO_PASSWORD})
        for role, username in DEMO_LOGINS:
            self.stdout.write(f"  {username:<10} {names[username]}  {_(role)}")
