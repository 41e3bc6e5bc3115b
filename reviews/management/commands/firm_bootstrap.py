"""Create the first leadership and execution members of a new firm (docs/operations.md, "A new firm").

Regulation 二.1: only the leadership group grants leadership, so the very first member comes from the server's
command line. Once the firm has a leadership member the command refuses, unless --allow-existing-leadership.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reviews.models import DepartmentKind, Language, Position
from reviews.services import FirmAlreadyHasLeadership, firm_bootstrap


class Command(BaseCommand):
    help = "Add one of the first members of a new firm, in the leadership and/or execution group, and invite them."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--email", required=True, help="The invitation to set a password goes here.")
        parser.add_argument("--department", required=True, help="Department code; created if it does not exist.")
        parser.add_argument("--department-name", default="", help="Chinese name of a department to create.")
        parser.add_argument("--department-name-en", default="", help="Its English name (default: the Chinese name).")
        parser.add_argument("--department-kind", default=DepartmentKind.ADMINISTRATIVE, choices=DepartmentKind.values)
        parser.add_argument("--position", default=Position.ADMINISTRATIVE, choices=Position.values)
        parser.add_argument("--leadership", action="store_true", help="Member of the leadership group (二.1).")
        parser.add_argument("--execution", action="store_true", help="Member of the execution group (二.2).")
        parser.add_argument("--not-assessed", action="store_true", help="Partners and the director are not assessed.")
        parser.add_argument("--language", default=Language.ZH_HANS, choices=Language.values)
        parser.add_argument("--no-invite", action="store_true", help="Do not e-mail the invitation now.")
        parser.add_argument(
            "--allow-existing-leadership",
            action="store_true",
            help="Add this member although the firm already has a leadership group (e.g. after losing every one).",
        )

    def handle(self, *args, **options):
        if not (options["leadership"] or options["execution"]):
            raise CommandError("Give --leadership, --execution or both: this command adds the groups' first members.")
        try:
            profile = firm_bootstrap(
                username=options["username"],
                full_name=options["full_name"],
                email=options["email"],
                department_code=options["department"],
                department_name=options["department_name"],
                department_name_en=options["department_name_en"],
                department_kind=options["department_kind"],
                position=options["position"],
                leadership=options["leadership"],
                execution=options["execution"],
                assessed=not options["not_assessed"],
                language=options["language"],
                invite=not options["no_invite"],
                allow_existing_leadership=options["allow_existing_leadership"],
            )
        except FirmAlreadyHasLeadership as refusal:
            raise CommandError(f"{refusal} Use --allow-existing-leadership to add one anyway.") from refusal
        except ValidationError as error:
            problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            raise CommandError(f"Nothing was created: {problems}") from error
        groups = [name for name in ("leadership", "execution") if options[name]]
        self.stdout.write(
            f"Added {profile.full_name} ({profile.user.username}) to the {' and '.join(groups)} group"
            f"{'s' if len(groups) > 1 else ''}"
            + ("; an invitation to set a password was e-mailed." if not options["no_invite"] else ".")
        )
