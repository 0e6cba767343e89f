from django.core.management.base import BaseCommand, CommandError

from kvalis.demo import scale as generated


class Command(BaseCommand):
    help = (
        "Generate national-scale data for benchmarks: --scale national (50 000 people, "
        "1 000 000 attendance rows), county (a tenth) or tiny. Reproducible from --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(generated.SCALES), default="county")
        parser.add_argument("--seed", type=int, default=2014)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add to a database that already holds other projects or people (e.g. the demo).",
        )

    def handle(self, *args, scale: str, seed: int, force: bool, **options):
        # Generated rows are for measuring: mixed into real data they would swamp its reports.
        if generated.has_generated_data():
            raise CommandError(
                "This database already holds generated data; generate into a fresh database."
            )
        if not force and generated.has_other_data():
            raise CommandError(
                "This database holds projects or people that were not generated; "
                "use a fresh database, or --force to add the generated data beside them."
            )
        counts = generated.generate(scale=generated.SCALES[scale], seed=seed)
        seconds = counts.pop("seconds")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated the {scale} scale (seed {seed}) in {seconds:.1f} s: "
                + ", ".join(f"{value} {key}" for key, value in counts.items())
            )
        )
        self.stdout.write(
            f"Logins (password {generated.data.DEMO_PASSWORD}): {generated.FUNDER_LOGIN}, "
            f"koordinatorius.<code>@{generated.EMAIL_DOMAIN}, "
            f"partneris.<code>@{generated.EMAIL_DOMAIN} (codes {generated.CODE_PREFIX}001…)"
        )
