import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.loader import FixtureError, read_fixture
from cases.quotes import PassageError, locate


class Command(BaseCommand):
    help = (
        "Print the quote record for a passage of a source, offsets included, ready to paste into the "
        "fixture's quotes list. Reads the source text named in the fixture, not the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="the source's slug")
        parser.add_argument("passage", help="the exact passage, as it stands in the text")
        parser.add_argument("--fixture", default=str(settings.ARCHIVE_FIXTURE))
        parser.add_argument("--attribution", default="", help='who says it, e.g. "Serikzhan Bilash, by phone to CNA"')
        parser.add_argument("--speaker", default=None, help="the speaking person's slug")

    def handle(self, *args, source, passage, fixture, attribution, speaker, **options):
        try:
            data, _ = read_fixture(fixture)
        except FixtureError as error:
            raise CommandError(error.errors[0]) from None
        sources = {s.get("slug"): s for s in data.get("sources", []) if isinstance(s, dict)}
        if source not in sources:
            known = ", ".join(sorted(str(slug) for slug in sources)) or "none"
            raise CommandError(f"no source {source!r} in {fixture} (known: {known})")
        record = sources[source]
        text = (Path(fixture).parent / record["text_file"]).read_text(encoding="utf-8")
        try:
            start, end = locate(text, passage)
        except PassageError as error:
            raise CommandError(f"{source}: {error}") from None
        numbers = [q.get("n", 0) for q in record.get("quotes", []) if isinstance(q.get("n"), int)]
        existing = [q for q in record.get("quotes", []) if q.get("start") == start and q.get("end") == end]
        if existing:
            self.stderr.write(f"note: this passage is already quote {source}#{existing[0].get('n')}")
        quote = {"n": max(numbers, default=0) + 1, "exact": text[start:end], "start": start, "end": end}
        if speaker:
            quote["speaker"] = speaker
        if attribution:
            quote["attribution"] = attribution
        self.stdout.write(json.dumps(quote, ensure_ascii=False, indent=2))
