"""The archive's records.

A Source is archived word for word; a Quote is an exact passage of it located
by code-point offsets; every fact of a Case is tied to one or more quotes by a
Citation. People and places are records of their own, so a person is found by
any spelling of their name and a place includes everything inside it.

Records are written only by the loader (``manage.py loadarchive``), which
derives the indexed columns (date spans, place paths, name keys) from the
curated values; the public site only reads.
"""

import re

from django.db import connections, models
from django.db.models import Q
from django.urls import reverse

from . import dates

# A ref is six characters of Crockford's base 32 (no i, l, o, u): short enough
# to read aloud, with nothing in it that describes the case, so it never has
# to change when the record does.
REF_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
REF_PATTERN = re.compile(r"[0-9a-hjkmnp-tv-z]{6}")
# Refs a spreadsheet takes for a number and rewrites ("408093" loses nothing
# visible but its type; "847e81" becomes 8.47E+83): never issued, never loaded.
NUMBER_LIKE_REF = re.compile(r"[0-9]+(?:e[0-9]+)?")


def is_issuable_ref(ref):
    """A well-formed ref that no spreadsheet would read as a number."""
    return bool(REF_PATTERN.fullmatch(ref)) and not NUMBER_LIKE_REF.fullmatch(ref)


class PartialDateMixin:
    """Fills a model's ``<prefix>_earliest``/``_latest``/``_display`` from its EDTF text."""

    def set_partial_date(self, prefix, value):
        parsed = dates.parse(value)
        setattr(self, f"{prefix}_edtf", parsed.edtf)
        setattr(self, f"{prefix}_earliest", parsed.earliest)
        setattr(self, f"{prefix}_latest", parsed.latest)
        setattr(self, f"{prefix}_display", parsed.display)
        return parsed


class DataLoad(models.Model):
    """One load of the curated fixture: the data's version for caches, ETags and feeds."""

    loaded_at = models.DateTimeField()
    fixture_sha256 = models.CharField(max_length=64)
    counts = models.JSONField(default=dict)
    facets = models.JSONField(
        default=dict, blank=True, help_text="The unfiltered case list's facet counts (cases.facets.archive_summary)."
    )
    checked_by = models.CharField(
        max_length=64, blank=True, help_text="The version of the code that checked the fixture (cases.loader)."
    )

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        get_latest_by = "loaded_at"

    def __str__(self):
        return f"load of {self.fixture_sha256[:12]} at {self.loaded_at:%Y-%m-%d %H:%M:%S}"


class LoadedRecord(models.Model):
    """A record with a page of its own, as a load leaves it: what it was loaded from, and which load last
    changed what its pages show.

    The loader compares ``fixture_sha256`` with the fixture's record and rewrites the record only when
    they differ; ``changed_in`` is the version the page cache and the validators name its pages by.
    """

    fixture_sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text="The sha256 of the fixture's record (and the text it names) it was written from.",
    )
    changed_in = models.ForeignKey(
        DataLoad,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The load that last changed anything this record's pages show.",
    )

    class Meta:
        abstract = True


class Source(PartialDateMixin, LoadedRecord):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200)
    author = models.CharField(max_length=200, blank=True, help_text="Blank when not known.")
    language = models.CharField(max_length=35, help_text="BCP 47 tag of the archived text.")
    original_language = models.CharField(max_length=35, blank=True)
    original_title = models.CharField(max_length=500, blank=True)
    url = models.URLField(
        max_length=1000, blank=True, help_text="The publisher's own address for the text; blank when not known."
    )
    copy_url = models.URLField(
        max_length=1000,
        blank=True,
        help_text="Where the archived copy was obtained when it was not the publisher (a republication).",
    )
    copy_note = models.CharField(max_length=300, blank=True, help_text='What that copy is: "a republication by …".')
    archived_url = models.URLField(max_length=1000, blank=True, help_text="A copy in a web archive.")
    published_edtf = models.CharField(max_length=64)
    published_earliest = models.DateField()
    published_latest = models.DateField()
    published_display = models.CharField(max_length=120)
    retrieved = models.DateField(null=True, blank=True)
    is_machine_translation = models.BooleanField(default=False)
    translation_note = models.TextField(blank=True)
    text = models.TextField()
    sha256 = models.CharField(max_length=64)
    notes = models.TextField(blank=True, help_text="Editorial notes on the source.")
    unused = models.JSONField(
        default=list,
        blank=True,
        help_text="The sentences no record uses, each with the reason: [{start, end, reason}] (cases.sentences).",
    )
    modified = models.DateField()

    class Meta:
        ordering = ["-published_earliest", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("source-detail", args=[self.slug])

    @property
    def published(self):
        return self.published_display


class Quote(models.Model):
    """An exact passage of a source: ``source.text[start:end] == exact``, offsets in code points."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="quotes")
    number = models.PositiveIntegerField(help_text="Stable within its source: the page anchor is q-<number>.")
    exact = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    speaker = models.ForeignKey("Person", null=True, blank=True, on_delete=models.PROTECT, related_name="quotes_spoken")
    attribution = models.CharField(
        max_length=300, blank=True, help_text='Who says it, as shown: "Serikzhan Bilash, by phone to CNA".'
    )
    partial = models.CharField(
        max_length=300, blank=True, help_text="Why the quote does not run from a sentence's start to its end."
    )

    class Meta:
        ordering = ["source", "start", "number"]
        constraints = [
            models.UniqueConstraint(fields=["source", "number"], name="quote_number_unique_in_source"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="quote_end_after_start"),
        ]

    def __str__(self):
        return f"{self.source.slug}#q-{self.number}"

    def get_absolute_url(self):
        return f"{self.source.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"q-{self.number}"


class Person(LoadedRecord):
    class Kind(models.TextChoices):
        PERSON = "person", "person"
        ORGANISATION = "organisation", "organisation"

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200, help_text="The canonical name.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    description = models.TextField(blank=True, help_text="Who they are, as the quotes of description_quotes say.")
    description_quotes = models.ManyToManyField("Quote", blank=True, related_name="described_people")
    modified = models.DateField()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("person-detail", args=[self.slug])


class PersonName(models.Model):
    """One spelling of a person's name: as a source spells it (with the quote), or an editorial addition."""

    class Kind(models.TextChoices):
        CANONICAL = "canonical", "canonical name"
        SOURCE = "source", "as spelled in a source"
        NATIVE = "native", "native script"
        TRANSLITERATION = "transliteration", "transliteration"
        ALIAS = "alias", "other name"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47 tag, e.g. kk-Cyrl, ru, zh-Hans.")
    quote = models.ForeignKey(Quote, null=True, blank=True, on_delete=models.PROTECT, related_name="name_variants")
    note = models.CharField(max_length=300, blank=True)
    # Derived by the loader with names.search_key(); the search looks names up by it.
    search_key = models.CharField(max_length=200, db_index=True, editable=False)
    search_keys = models.TextField(
        editable=False,
        default="",
        help_text="Every key of the spelling (cases.names.search_keys), one a line: for matching, never shown.",
    )

    class Meta:
        ordering = ["person", "kind", "name"]
        constraints = [
            # A spelling "as in a source" is a fact and needs its passage; an
            # editorial addition is not in any source and must not claim one.
            models.CheckConstraint(
                condition=(Q(kind="source", quote__isnull=False) | (~Q(kind="source") & Q(quote__isnull=True))),
                name="personname_quote_iff_source",
            ),
            models.UniqueConstraint(fields=["person", "name", "quote"], name="personname_unique_per_quote"),
            models.UniqueConstraint(
                fields=["person", "name", "kind"],
                condition=Q(quote__isnull=True),
                name="personname_unique_editorial",
            ),
        ]

    def __str__(self):
        return self.name


class PersonRelation(models.Model):
    """``person`` is the ``relation`` of ``relative``: Baimurat Nauryzbek is the brother of Baibolat Kunbolat."""

    class Relation(models.TextChoices):
        BROTHER = "brother", "brother"
        SISTER = "sister", "sister"
        SIBLING = "sibling", "sibling"
        PARENT = "parent", "parent"
        CHILD = "child", "child"
        SPOUSE = "spouse", "spouse"
        FOUNDER = "founder", "founder"
        MEMBER = "member", "member"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations")
    relation = models.CharField(max_length=20, choices=Relation.choices)
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="related_by")
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="relations")

    class Meta:
        ordering = ["person", "relation"]
        constraints = [
            models.UniqueConstraint(fields=["person", "relation", "relative"], name="relation_unique"),
            models.CheckConstraint(condition=~Q(person=models.F("relative")), name="relation_not_self"),
        ]

    def __str__(self):
        return f"{self.person} is the {self.get_relation_display()} of {self.relative}"


def path_ids(path):
    """The place ids of a derived place path, from the top of the tree down: "/3/7/12/" -> [3, 7, 12]."""
    return [int(pk) for pk in path.strip("/").split("/") if pk]


class Place(LoadedRecord):
    class Kind(models.TextChoices):
        COUNTRY = "country", "country"
        REGION = "region", "region"
        PREFECTURE = "prefecture", "prefecture"
        CITY = "city", "city"
        SITE = "site", "site"

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    description = models.TextField(blank=True, help_text="What the place is, as the quotes of description_quotes say.")
    description_quotes = models.ManyToManyField("Quote", blank=True, related_name="described_places")
    # Derived by the loader: the ids from the root down, "/3/7/12/". Filtering
    # by a place is then one prefix match on an index, however deep the tree.
    path = models.CharField(max_length=255, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    # Derived by the loader: "Ili Kazakh Autonomous Prefecture, Xinjiang Uyghur
    # Autonomous Region, China", so a list shows the places above without a query per row.
    full_name = models.CharField(max_length=1000, editable=False, default="")
    modified = models.DateField()

    class Meta:
        ordering = ["path"]
        indexes = [
            # Place-subtree filters: path LIKE '/3/7/%'.
            models.Index(fields=["path"], name="place_path_idx", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(latitude__isnull=True, longitude__isnull=True)
                    | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180)
                ),
                name="place_coordinates_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("place-detail", args=[self.slug])

    def derive_tree_fields(self):
        """Set depth, full name and path from the parent's, as every writer of places does (needs the id)."""
        parent = self.parent
        self.depth = 0 if parent is None else parent.depth + 1
        self.full_name = self.name if parent is None else f"{self.name}, {parent.full_name}"
        self.path = f"{parent.path if parent else '/'}{self.pk}/"

    @property
    def path_ids(self):
        """The ids of the places from the top of the tree down to this one."""
        return path_ids(self.path)

    def ancestry(self):
        """This place and the places above it, from the top of the tree down: one query."""
        ids = self.path_ids
        by_id = Place.objects.in_bulk(ids)
        return [by_id[pk] for pk in ids if pk in by_id] or [self]


class PlaceName(models.Model):
    """A name of a place: its own (``Place.name``, kept here too so that every name is looked up alike),
    in another language or script, or an older form ("Alma-Ata" for Almaty).

    The others are editorial: added by the editors from outside the archived sources, so they claim
    no passage. Finding a place by any of its names finds every case inside it.
    """

    class Kind(models.TextChoices):
        CANONICAL = "canonical", "the place's name"
        LANGUAGE = "language", "in another language"
        FORMER = "former", "older form"

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47 tag, e.g. kk-Cyrl, ru, zh-Hans.")
    note = models.CharField(max_length=300, blank=True)
    search_keys = models.TextField(
        editable=False, help_text="Every key of the name (cases.names.search_keys), one a line: for matching."
    )

    class Meta:
        ordering = ["place", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="placename_unique")]

    def __str__(self):
        return self.name


class CaseQuerySet(models.QuerySet):
    def for_list(self):
        """Cases with what a list row shows (their place and people, not their details), in two queries."""
        people = Involvement.objects.select_related("person").only(
            "case", "role", "person__slug", "person__name", "person__kind"
        )
        return self.select_related("place").prefetch_related(models.Prefetch("involvements", queryset=people))

    def within_place(self, place):
        """Cases at ``place`` or anywhere inside it (uses place_path_idx)."""
        if connections[self.db].vendor == "sqlite":
            # SQLite's LIKE ignores case, so it cannot use the index; the same prefix as a
            # range can. Paths are digits and slashes in binary order: every path that
            # starts with "/3/7/" lies from "/3/7/" up to, not including, "/3/70".
            return self.filter(place__path__gte=place.path, place__path__lt=place.path[:-1] + "0")
        return self.filter(place__path__startswith=place.path)

    def newest_first(self):
        return self.order_by("-date_latest", "-date_earliest", "ref")


class Case(PartialDateMixin, LoadedRecord):
    class Kind(models.TextChoices):
        DETENTION = "detention", "detention"
        PROTEST = "protest", "protest"

    ref = models.CharField(max_length=6, unique=True, help_text="The permalink: assigned once, never reused.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    summary = models.TextField()
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="cases")
    date_edtf = models.CharField(max_length=64)
    date_earliest = models.DateField()
    date_latest = models.DateField()
    date_display = models.CharField(max_length=120)
    people = models.ManyToManyField(Person, through="Involvement", related_name="cases")
    created = models.DateField()
    modified = models.DateField()

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-date_latest", "-date_earliest", "ref"]
        constraints = [
            models.CheckConstraint(condition=Q(date_latest__gte=models.F("date_earliest")), name="case_date_span"),
            models.CheckConstraint(condition=Q(modified__gte=models.F("created")), name="case_modified_after_created"),
        ]
        indexes = [
            # Date-range filters (overlap and within). Kind, place and id ride along so that the
            # list's count and facets under a date filter are read from the index alone.
            models.Index(fields=["date_earliest", "date_latest", "kind", "place", "id"], name="case_date_span_idx"),
            # Newest first. With the id, a deep page (?page=1000) skips its 25,000 rows inside
            # the index instead of fetching each from the table.
            models.Index(fields=["-date_latest", "-date_earliest", "ref", "id"], name="case_newest_idx"),
            # Oldest first, read the same way.
            models.Index(fields=["date_earliest", "date_latest", "ref", "id"], name="case_oldest_idx"),
            models.Index(fields=["kind", "-date_latest"], name="case_kind_date_idx"),
            # Place filters: place_path_idx finds the places inside the chosen one, this their
            # cases, with dates, kind and id for the count and facets from the index alone.
            models.Index(fields=["place", "date_earliest", "date_latest", "kind", "id"], name="case_place_span_idx"),
        ]

    def __str__(self):
        return f"{self.ref}: {self.title}"

    def get_absolute_url(self):
        return reverse("case-detail", args=[self.ref])

    @property
    def details(self):
        """The kind-specific record (Detention or Protest); a query unless select_related."""
        return self.detention if self.kind == self.Kind.DETENTION else self.protest


class Detention(models.Model):
    class Status(models.TextChoices):
        DETAINED = "detained", "detained"
        SENTENCED = "sentenced", "sentenced"
        RELEASED = "released", "released"
        NOT_STATED = "not-stated", "not stated"

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="detention")
    authority = models.CharField(max_length=300, blank=True, help_text="Who detained: blank when not stated.")
    reason = models.TextField(blank=True, help_text="The stated reason.")
    sentence = models.CharField(max_length=300, blank=True)
    duration = models.CharField(max_length=300, blank=True)
    release = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NOT_STATED, help_text="As of the source's date."
    )
    arose_from = models.ForeignKey(
        "Protest", null=True, blank=True, on_delete=models.PROTECT, related_name="detentions"
    )

    def __str__(self):
        return f"detention {self.case_id}"


class Protest(models.Model):
    class Form(models.TextChoices):
        PICKET = "one-person-picket", "one-person picket"
        RALLY = "rally", "rally"
        MARCH = "march", "march"
        OTHER = "other", "other"

    class Outcome(models.TextChoices):
        PEACEFUL = "peaceful", "peaceful"
        INTERVENTION = "intervention", "police intervention"
        ARRESTS = "arrests", "arrests"
        NOT_STATED = "not-stated", "not stated"

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="protest")
    form = models.CharField(max_length=30, choices=Form.choices)
    size = models.CharField(max_length=200, blank=True)
    target = models.CharField(max_length=300, blank=True)
    demands = models.TextField(blank=True)
    slogans = models.TextField(blank=True, help_text="Slogans or placard text.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.NOT_STATED)

    def __str__(self):
        return f"protest {self.case_id}"


class Involvement(models.Model):
    class Role(models.TextChoices):
        DETAINED = "detained", "detained"
        PROTESTER = "protester", "protester"
        TARGET = "target", "target"
        WITNESS = "witness", "witness"
        SOURCE = "source-of-statement", "source of statement"
        ORGANISER = "organiser", "organiser"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involvements")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="involvements")
    role = models.CharField(max_length=30, choices=Role.choices)
    quotes = models.ManyToManyField(Quote, related_name="involvements")

    class Meta:
        ordering = ["case", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "person", "role"], name="involvement_unique")]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()}) in {self.case.ref}"


class Citation(models.Model):
    """Ties one fact of a case (a field, or the case as a whole) to a quote that supports it."""

    class Field(models.TextChoices):
        CASE = "case", "the case as a whole"
        DATE = "date", "date"
        PLACE = "place", "place"
        AUTHORITY = "authority", "detaining authority"
        REASON = "reason", "stated reason"
        SENTENCE = "sentence", "sentence"
        DURATION = "duration", "duration"
        RELEASE = "release", "release"
        STATUS = "status", "status"
        AROSE_FROM = "arose_from", "arose from"
        FORM = "form", "form"
        SIZE = "size", "size"
        TARGET = "target", "target"
        DEMANDS = "demands", "demands"
        SLOGANS = "slogans", "slogans or placard"
        OUTCOME = "outcome", "outcome"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="citations")
    field = models.CharField(max_length=20, choices=Field.choices)
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="citations")

    class Meta:
        ordering = ["case", "field", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "field", "quote"], name="citation_unique")]

    def __str__(self):
        return f"{self.case.ref}.{self.field} ← {self.quote}"


class Basis(models.TextChoices):
    """How the archive knows a fact."""

    STATED = "stated", "stated by the source"
    DERIVED = "derived", "derived by the archive"
    EDITORIAL = "editorial", "added by the archive's editors"


class Fact(models.Model):
    """The basis of one fact a case shows: what makes the value true, and whose word it is.

    A *stated* fact is said by its quotes (its Citations); ``according_to`` is
    the person whose word alone carries it, when one does. A *derived* fact was
    worked out by the archive: ``rule`` in plain words, from ``inputs`` (quotes,
    each with the words used, and sources' publication dates), its Citations
    being the quotes among them. An *editorial* fact comes from outside the
    archived sources: ``reference_title`` and ``reference_url`` say from where,
    both blank when it is unsourced. Written by the loader, one per fact shown.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="facts")
    field = models.CharField(max_length=20, choices=Citation.Field.choices)
    basis = models.CharField(max_length=20, choices=Basis.choices)
    according_to = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="facts_attributed"
    )
    attribution = models.CharField(
        max_length=300, blank=True, help_text='Who said it and how, as shown: "Serikzhan Bilash, by phone to CNA".'
    )
    rule = models.TextField(blank=True)
    inputs = models.JSONField(
        default=list, blank=True, help_text='[{"quote": "slug#n", "words": …} | {"published": slug}]'
    )
    reference_title = models.CharField(max_length=500, blank=True)
    reference_url = models.URLField(max_length=1000, blank=True)

    class Meta:
        ordering = ["case", "field"]
        constraints = [
            models.UniqueConstraint(fields=["case", "field"], name="fact_unique"),
            models.CheckConstraint(condition=Q(basis="derived") | Q(rule=""), name="fact_rule_iff_derived"),
            models.CheckConstraint(
                condition=Q(basis="editorial") | Q(reference_title="", reference_url=""),
                name="fact_reference_iff_editorial",
            ),
        ]

    def __str__(self):
        return f"{self.case.ref}.{self.field} ({self.basis})"

    @property
    def description(self):
        """The basis in words, as the exports, the feed and the citations give it beside the value."""
        speaker = self.according_to.name if self.according_to_id else ""
        return basis_text(self.basis, speaker, self.attribution, self.rule, self.reference_title, self.reference_url)


def basis_text(basis, speaker, attribution, rule, reference_title, reference_url):
    """A fact's basis in words, from its Fact's columns (``speaker``: the according_to person's name)."""
    if basis == Basis.DERIVED:
        return f"derived by the archive: {rule}"
    if basis == Basis.EDITORIAL:
        reference = ", ".join(part for part in (reference_title, reference_url) if part)
        return f"added by the editors, from {reference}" if reference else "added by the editors, unsourced"
    if speaker:
        return f"stated, according to {attribution or speaker}"
    return "stated by the source"


class StatementQuerySet(models.QuerySet):
    def matching(self, q):
        """Statements whose summary or quoted words hold every word of ``q`` (case ignored)."""
        statements = self.select_related("quote__source", "speaker").defer("quote__source__text")
        for word in q.split():
            statements = statements.filter(Q(summary__icontains=word) | Q(quote__exact__icontains=word))
        return statements


class Statement(models.Model):
    """Something a source says that is not a fact of a case: context, a rule, an allegation, a reported pattern.

    ``speaker`` is who says it when the source reports someone's words; blank,
    the source says it itself.
    """

    class Kind(models.TextChoices):
        CONTEXT = "context", "context"
        RULE = "rule", "rule or law"
        ALLEGATION = "allegation", "allegation"
        PATTERN = "pattern", "reported pattern"
        ASSESSMENT = "assessment", "assessment or forecast"

    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="statements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.TextField(help_text="What it says, in the archive's words.")
    speaker = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="statements")
    attribution = models.CharField(max_length=300, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["quote__source", "quote__start", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.summary}"

    def get_absolute_url(self):
        return f"{self.quote.source.get_absolute_url()}#statement-{self.pk}"


class EditorialNote(models.Model):
    """What editors add to a person or a place from outside the archived sources, shown apart from what is quoted.

    ``reference_title`` and ``reference_url`` say where it comes from; both blank, it is unsourced.
    """

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="editorial_notes")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.CASCADE, related_name="editorial_notes")
    label = models.CharField(max_length=100, help_text='What it is: "term of office", "address", "coordinates".')
    text = models.CharField(max_length=500)
    reference_title = models.CharField(max_length=500, blank=True)
    reference_url = models.URLField(max_length=1000, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=True, place__isnull=False) | Q(person__isnull=False, place__isnull=True),
                name="editorialnote_one_record",
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.text}"

    @property
    def unsourced(self):
        return not (self.reference_title or self.reference_url)


# Which citation fields a case of each kind may carry.
DETENTION_FIELDS = ("authority", "reason", "sentence", "duration", "release", "status", "arose_from")
PROTEST_FIELDS = ("form", "size", "target", "demands", "slogans", "outcome")
COMMON_FIELDS = ("case", "date", "place")


class RetiredRef(models.Model):
    """A ref that no longer names a case of its own: merged or renamed (301), or withdrawn (410)."""

    class Status(models.TextChoices):
        REPLACED = "replaced", "replaced"
        WITHDRAWN = "withdrawn", "withdrawn"

    ref = models.CharField(max_length=6, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    title = models.CharField(max_length=300)
    reason = models.TextField()
    replaced_by = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="former_refs")
    retired = models.DateField()

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status="replaced", replaced_by__isnull=False) | Q(status="withdrawn", replaced_by__isnull=True)
                ),
                name="retiredref_successor_iff_replaced",
            ),
        ]

    def __str__(self):
        return f"{self.ref} ({self.get_status_display()})"


# Search ------------------------------------------------------------------

# The PostgreSQL text search configuration created by migration 0002:
# English, with accents folded (unaccent) before stemming.
SEARCH_CONFIG = "archive_search"


class FullTextVectorField(models.Field):
    """PostgreSQL's ``tsvector``; plain text on other databases, where it stays empty."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


class FullTextVector(models.Func):
    """The full-text vector of a text column on PostgreSQL; an empty text elsewhere (SQLite has none here)."""

    output_field = FullTextVectorField()

    def as_sql(self, compiler, connection, **extra_context):
        return "''", ()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = f"to_tsvector('{SEARCH_CONFIG}'::regconfig, %(expressions)s)"
        return super().as_sql(compiler, connection, template=template, **extra_context)


class SearchDocument(models.Model):
    """What the case search reads for one case: derived, never edited.

    ``cases.search.index_cases()`` writes it from the case's records whenever
    the loader writes them. Each column is folded as the query is folded (case,
    accents, punctuation), so a match is a substring test on every database.
    On PostgreSQL the database also keeps ``vector``, the full-text vector of
    ``text``, and GIN indexes created by migrations 0002 and 0009 (trigram on
    ``text``, ``names`` and ``keys``, full text on ``vector``) find the matching documents
    without reading every row. Kept out of the case table so that list
    queries stay narrow.
    """

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="search_document")
    names = models.TextField(
        help_text="Every key of every spelling of every involved person's name (as written, in Latin letters), one a line."
    )
    title = models.TextField()
    text = models.TextField(help_text="Ref, title, summary, place, names and cited quotes, one a line.")
    keys = models.TextField(
        default="",
        help_text="The Latin key (cases.names.latin_key) of each line of text and of every name of its places.",
    )
    vector = models.GeneratedField(
        expression=FullTextVector("text"), output_field=FullTextVectorField(), db_persist=True
    )

    def __str__(self):
        return f"search document of case {self.case_id}"
