"""Delete the records of admin imports that ended more than ``DATA_IMPORT_RETENTION_DAYS`` ago,
and working directories left by imports whose process was killed (run daily)."""

from django.core.management.base import BaseCommand

from skillnader.web.data.jobs import purge, retention_days


class Command(BaseCommand):
    help = (
        "Delete records of admin imports that ended before the retention period, and leftover "
        "working directories of interrupted imports."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count them.")

    def handle(self, *args, dry_run=False, **opts):
        r = purge(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(
            f"{verb} {r.jobs} import records that ended more than {retention_days()} days ago "
            f"and {r.directories} leftover working directories"
        )
