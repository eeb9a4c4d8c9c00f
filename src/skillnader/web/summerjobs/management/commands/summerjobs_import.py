"""Create or update a summer-job round from a policy file and import applicants and positions."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from skillnader.allocation.policy import load_policy
from skillnader.errors import SkillnaderError
from skillnader.web.summerjobs.models import Round
from skillnader.web.summerjobs.services import import_files, run_allocation


class Command(BaseCommand):
    help = "Import a summer-job round: policy (YAML), applicants and positions (CSV/XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, help="Round slug, e.g. feriejobb-2027.")
        parser.add_argument(
            "--policy", type=Path, help="Policy YAML (creates the round or replaces its policy)."
        )
        parser.add_argument("--applicants", type=Path)
        parser.add_argument("--positions", type=Path)
        parser.add_argument("--seed", help="Publish this lottery seed for the round.")
        parser.add_argument("--allocate", action="store_true", help="Allocate after the import.")
        parser.add_argument(
            "--synthetic",
            type=int,
            metavar="N",
            help="Import N SYNTHETIC applicants and 0.7 N places (a demonstration round, labelled so).",
        )

    def handle(self, *args, **o):
        try:
            rnd = Round.objects.filter(slug=o["round"]).first()
            if o["policy"]:
                pol = load_policy(o["policy"])
                text = o["policy"].read_text(encoding="utf-8")
                if rnd is None:
                    rnd = Round.objects.create(slug=o["round"], title=pol.title, policy_yaml=text)
                else:
                    rnd.policy_yaml, rnd.title = text, pol.title
                    rnd.save()
            if rnd is None:
                raise CommandError(f"no round {o['round']!r}: give --policy to create it")
            if o["seed"]:
                from django.utils import timezone

                rnd.seed, rnd.seed_published_on = o["seed"], timezone.localdate()
                rnd.save()
            if o["synthetic"]:
                import tempfile

                from skillnader.allocation import inputs, synthetic

                tmp = Path(tempfile.mkdtemp())
                n = o["synthetic"]
                inputs.write_applicants(synthetic.applicants(n, seed=1), tmp / "applicants.csv")
                inputs.write_positions(
                    synthetic.positions(max(1, n * 7 // 10), max(1, n // 10), seed=1),
                    tmp / "positions.csv",
                )
                o["applicants"], o["positions"] = tmp / "applicants.csv", tmp / "positions.csv"
            counts = import_files(rnd, o["applicants"], o["positions"])
            self.stdout.write(
                f"{rnd.slug}: {counts['applications']} applications, {counts['positions']} positions"
            )
            if o["allocate"]:
                alloc = run_allocation(rnd)
                self.stdout.write(
                    f"allocation {alloc.id}: {alloc.report['overall']['placed']} placed"
                )
        except SkillnaderError as exc:
            raise CommandError(str(exc)) from exc
