"""Delete summer-job applications older than ``SUMMERJOBS_RETENTION_DAYS`` (run daily)."""

from django.core.management.base import BaseCommand

from skillnader.web.summerjobs.services import purge, retention_days


class Command(BaseCommand):
    help = "Delete summer-job applications (and placements) older than the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count them.")

    def handle(self, *args, dry_run=False, **opts):
        n = purge(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {n} applications older than {retention_days()} days")
