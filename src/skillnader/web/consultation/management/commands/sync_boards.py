"""``manage.py sync_boards [--registry FILE]``: load the board registry into the database."""

from django.core.management.base import BaseCommand

from skillnader.web.consultation.registry import sync_boards


class Command(BaseCommand):
    help = "Create or update the boards from the bundled registry (data/boards.yaml)."

    def add_arguments(self, parser):
        parser.add_argument("--registry", help="another registry file in the same format")

    def handle(self, *args, registry=None, **options):
        r = sync_boards(registry)
        self.stdout.write(
            f"{len(r.created)} created, {len(r.updated)} updated, {r.unchanged} unchanged"
        )
        if r.unlisted:
            self.stdout.write("not in the registry (kept): " + ", ".join(r.unlisted))
