import json
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from cases.loader import read_fixture
from cases.models import REF_ALPHABET, Case, RetiredRef, is_issuable_ref


class Command(BaseCommand):
    help = "Print fresh case refs, used by no case and no retired record, in the fixture or the database."

    def add_arguments(self, parser):
        parser.add_argument("count", nargs="?", type=int, default=1)
        parser.add_argument("--fixture", default=str(settings.ARCHIVE_FIXTURE))

    def handle(self, *args, count, fixture, **options):
        data, _ = read_fixture(fixture)
        taken = {c.get("ref") for c in data.get("cases", []) + data.get("retired", []) if isinstance(c, dict)}
        taken |= set(Case.objects.values_list("ref", flat=True))
        taken |= set(RetiredRef.objects.values_list("ref", flat=True))
        fresh = []
        while len(fresh) < count:
            ref = "".join(secrets.choice(REF_ALPHABET) for _ in range(6))
            if ref not in taken and is_issuable_ref(ref):
                taken.add(ref)
                fresh.append(ref)
        self.stdout.write(json.dumps(fresh) if count > 1 else fresh[0])
