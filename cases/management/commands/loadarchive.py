import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.loader import FixtureError, check_fixture, load_fixture
from cases.progress import Progress


class Command(BaseCommand):
    help = (
        "Check the curated fixture and load it in one transaction, writing only the records that differ from those loaded. "
        "Nothing is written when any check fails. On a terminal each stage shows a progress bar; "
        "elsewhere it prints one line when it ends."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixture", nargs="?", default=str(settings.ARCHIVE_FIXTURE), help="default: %(default)s")
        parser.add_argument("--check", action="store_true", help="only check the fixture; write nothing")
        parser.add_argument("--force", action="store_true", help="load even when this fixture is already loaded")

    def handle(self, *args, fixture, check, force, **options):
        # The stream itself, not the command's wrapper, which would end each redrawn bar with a new line.
        progress = Progress(options.get("stdout") or sys.stdout)
        try:
            if check:
                data, checker, _ = check_fixture(fixture, progress)
                self.stdout.write(
                    f"{fixture}: OK ({len(data.get('cases', []))} cases, {len(checker.quotes)} quotes "
                    f"in {len(checker.texts)} sources, all verified)"
                )
                # Every sentence is used by a record or listed here, with the reason the fixture gives.
                self.stdout.write(f"Sentences no record uses: {len(checker.unused)}")
                for slug, sentence, reason in checker.unused:
                    self.stdout.write(f"  {slug} {sentence.start}..{sentence.end} “{sentence.text}”: {reason}")
                return
            report = load_fixture(fixture, force=force, progress=progress)
        except FixtureError as error:
            for line in error.errors:
                self.stderr.write(line)
            raise CommandError(f"{len(error.errors)} problem(s) in {fixture}; the database was not changed") from None
        if report.unchanged:
            self.stdout.write(f"{fixture} is already loaded (version {report.sha256[:12]}); nothing to do")
        else:
            counts = ", ".join(f"{n} {name}" for name, n in report.counts.items())
            self.stdout.write(f"Loaded {fixture} (version {report.sha256[:12]}): {counts}")
            for kind, whats in report.changes.items():
                self.stdout.write(f"  {kind}: " + ", ".join(f"{n} {what}" for what, n in whats.items()))
