"""python manage.py import_data <kind> <file> [--dry-run] [--user USERNAME]: the web import, for automation."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clients.importing.columns import KIND_ORDER
from clients.importing.services import import_run


class Command(BaseCommand):
    help = "Import staff or department data from a CSV or XLSX file (same checks as the web import)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KIND_ORDER)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and print the counts only.")
        parser.add_argument("--user", help="Username recorded as the author of the changes.")

    def handle(self, *args, kind, file, dry_run, user, **options):
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"There is no user {user!r}.")
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        with file.open("rb") as stream:
            report = import_run(kind=kind, stream=stream, file_name=file.name, by=by, commit=not dry_run)
        counts = (
            f"{report.total_rows} rows: {report.created} to create, {report.updated} to update, "
            f"{report.unchanged} unchanged"
        )
        if report.errors:
            for error in report.errors:
                where = f"row {error.row}" if error.row else "file"
                column = f", {error.column}" if error.column else ""
                self.stderr.write(f"{file.name}: {where}{column}: {error.message}")
            raise CommandError(f"{len(report.errors)} errors in {report.error_rows} rows; nothing imported. ({counts})")
        if dry_run:
            self.stdout.write(f"Dry run, nothing written. {counts}.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file.name}: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged."
            )
        )
        if kind == "staff":
            self.stdout.write(f"Invitations sent: {report.invitations_sent}, failed: {report.invitations_failed}.")
