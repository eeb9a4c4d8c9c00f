"""``manage.py import_consultation [CONFIG.yaml] [--slug S] [--status S]``."""

from django.core.management.base import BaseCommand, CommandError

from skillnader.errors import InputError
from skillnader.web.consultation.registry import import_consultation


class Command(BaseCommand):
    help = "Create a consultation from a remiss configuration (default: the bundled one)."

    def add_arguments(self, parser):
        parser.add_argument("config", nargs="?")
        parser.add_argument("--slug")
        parser.add_argument("--status", default="draft")

    def handle(self, *args, config=None, slug=None, status="draft", **options):
        try:
            c = import_consultation(config, slug=slug, status=status)
        except InputError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{c.slug}: {c.questions.count()} questions, {c.recipients.count()} recipients"
        )
