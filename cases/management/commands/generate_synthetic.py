from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cases.synthetic import SYNTHETIC_PUBLISHER, SyntheticDataRefused, generate


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic archive for benchmarks: cases of both kinds, people with "
        "several spellings, a five-level place tree, sources with quotes and citations. Every record is "
        f"marked as synthetic (publisher {SYNTHETIC_PUBLISHER!r}, slugs starting with 'synthetic-'). "
        "Use a database of its own: the command refuses to write over any other data unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000, help="how many cases (default: %(default)s)")
        parser.add_argument("--people", type=int, default=None, help="how many people (default: a fifth of --cases)")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same data (default: 1)")
        parser.add_argument("--replace", action="store_true", help="delete whatever the database holds, even real data")
        parser.add_argument(
            "--reuse", action="store_true", help="do nothing when the database already holds this exact data set"
        )

    def handle(self, *args, cases, people, seed, replace, reuse, verbosity, **options):
        if cases < 1:
            raise CommandError("--cases must be 1 or more")
        if people is not None and people < 2:
            raise CommandError("--people must be 2 or more")
        log = self.stdout.write if verbosity > 1 else None
        try:
            report = generate(cases, people, seed, replace=replace, reuse=reuse, log=log)
        except SyntheticDataRefused as error:
            raise CommandError(str(error)) from None
        database = connection.settings_dict["NAME"]
        if report.reused:
            self.stdout.write(f"{database} already holds this synthetic data set ({report.counts['cases']} cases)")
            return
        counts = ", ".join(f"{n} {name}" for name, n in report.counts.items() if name != "synthetic_seed")
        self.stdout.write(f"Wrote synthetic data to {database} in {report.seconds:.0f} s (seed {seed}): {counts}")
