"""Synthetic data for benchmarks: a large archive that looks like the real one, marked as fake.

The archive must stay fast long after it outgrows one article, and that can
only be shown on data of the size it will reach. ``generate()`` writes such
an archive (100,000 cases by default) straight into the database: cases of
both kinds with their details, people with their names in several scripts, a
place tree five levels deep, dates of every precision the archive accepts, and
sources whose texts hold every quote at its offsets, with citations and
involvements in the proportions of the real data.

None of it is real. Every source's publisher is ``SYNTHETIC_PUBLISHER``,
every slug starts with ``synthetic-``, and the data load it records says so.
It refuses to write over a database that holds anything else unless told to
replace it, and nothing but the ``generate_synthetic`` command and the
benchmark ever calls it: ``make run`` loads the curated fixture only.

The derived columns are filled as the loader fills them, with the same
helpers: date spans and display from ``cases.dates``, place paths from the
parent's, name keys from ``cases.names.search_key``. The same seed and size
give the same records, byte for byte, except the load's timestamp.
"""

import bisect
import datetime
import hashlib
import random
import time
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.text import slugify

from . import dates, facets
from .models import (
    REF_ALPHABET,
    Case,
    Citation,
    DataLoad,
    Detention,
    Involvement,
    Person,
    PersonName,
    PersonRelation,
    Place,
    PlaceName,
    Protest,
    Quote,
    RetiredRef,
    Source,
    is_issuable_ref,
)
from .names import search_key, stored_keys
from .search import index_cases

SYNTHETIC_PUBLISHER = "SYNTHETIC — benchmark data"
SLUG_PREFIX = "synthetic-"
# Part of the data's fingerprint: change it when the generator's output changes,
# so that a benchmark database made by an older generator is made again.
GENERATOR_VERSION = 1

CASES_PER_SOURCE = 10
CASES_PER_CHUNK = 5_000
BATCH_SIZE = 2_000


class SyntheticDataRefused(Exception):
    """The database holds records that are not synthetic; nothing was written."""


@dataclass
class Report:
    fingerprint: str
    counts: dict = field(default_factory=dict)
    reused: bool = False
    seconds: float = 0.0


# Name parts: (Latin as usually spelled in English-language reports, Kazakh
# Cyrillic, Chinese transcription). Common parts, combined at random: no
# combination is meant to name anyone.
MALE_GIVEN = [
    ("Baibolat", "Байболат", "拜波拉提"), ("Serikzhan", "Серікжан", "塞力克江"), ("Nurlan", "Нұрлан", "努尔兰"),
    ("Yerlan", "Ерлан", "叶尔兰"), ("Askar", "Асқар", "阿斯卡尔"), ("Bakytzhan", "Бақытжан", "巴合提江"),
    ("Kairat", "Қайрат", "凯拉特"), ("Marat", "Марат", "马拉提"), ("Erbol", "Ербол", "叶尔波力"),
    ("Aidos", "Айдос", "艾多斯"), ("Murat", "Мұрат", "木拉提"), ("Nurzhan", "Нұржан", "努尔江"),
    ("Talgat", "Талғат", "塔力哈提"), ("Daulet", "Дәулет", "道来提"), ("Zhanibek", "Жәнібек", "加尼别克"),
    ("Kuanysh", "Қуаныш", "库瓦尼什"), ("Bolat", "Болат", "波拉提"), ("Yerzhan", "Ержан", "叶尔江"),
    ("Arman", "Арман", "阿尔曼"), ("Baimurat", "Баймұрат", "拜木拉提"), ("Serik", "Серік", "塞力克"),
    ("Kanat", "Қанат", "哈那提"), ("Rakhym", "Рақым", "热合木"), ("Oral", "Орал", "奥拉勒"),
]  # fmt: skip
FEMALE_GIVEN = [
    ("Aigerim", "Әйгерім", "艾格尔木"), ("Gulnar", "Гүлнар", "古丽娜尔"), ("Dana", "Дана", "达娜"),
    ("Zhanar", "Жанар", "加娜尔"), ("Saule", "Сәуле", "萨吾列"), ("Gulzhan", "Гүлжан", "古丽江"),
    ("Ainur", "Айнұр", "艾努尔"), ("Asel", "Әсел", "阿塞勒"), ("Madina", "Мадина", "马迪娜"),
    ("Sholpan", "Шолпан", "肖勒潘"), ("Aliya", "Әлия", "阿丽亚"), ("Botagoz", "Ботагөз", "波塔古孜"),
    ("Zhuldyz", "Жұлдыз", "朱勒德孜"), ("Raushan", "Раушан", "劳山"), ("Kulyash", "Күләш", "库莱什"),
    ("Nazira", "Назира", "娜孜拉"),
]  # fmt: skip
FAMILY = [
    ("Kunbolat", "Күнболат", "昆波拉提"), ("Nauryzbek", "Наурызбек", "纳吾热孜别克"), ("Bilash", "Білаш", "比拉什"),
    ("Azhibay", "Әжібай", "阿吉拜"), ("Tursyn", "Тұрсын", "吐尔逊"), ("Kenzhebek", "Кенжебек", "肯杰别克"),
    ("Orazbay", "Оразбай", "奥拉孜拜"), ("Tleubay", "Тілеубай", "铁列乌拜"), ("Zhaksylyk", "Жақсылық", "加克斯勒克"),
    ("Nurlybek", "Нұрлыбек", "努尔勒别克"), ("Kadyr", "Қадыр", "卡德尔"), ("Kasym", "Қасым", "哈斯木"),
    ("Mamyr", "Мамыр", "马米尔"), ("Baimukhan", "Баймұхан", "拜木汗"), ("Mukhametkali", "Мұхаметқали", "穆哈买提哈力"),
    ("Dauletkhan", "Дәулетхан", "道来提汗"), ("Yesim", "Есім", "叶斯木"), ("Omar", "Омар", "奥马尔"),
    ("Sadyk", "Садық", "萨德克"), ("Suleimen", "Сүлеймен", "苏来曼"), ("Akhmet", "Ахмет", "艾合买提"),
    ("Abdrakhman", "Абдрахман", "阿布德热合曼"), ("Tokhtar", "Тоқтар", "托合塔尔"), ("Zhunus", "Жүніс", "朱努斯"),
]  # fmt: skip
# Han names: (pinyin, Chinese, Russian Cyrillic, pinyin with tone marks).
HAN_FAMILY = [
    ("Zhang", "张", "Чжан", "Zhāng"), ("Wang", "王", "Ван", "Wáng"), ("Li", "李", "Ли", "Lǐ"),
    ("Liu", "刘", "Лю", "Liú"), ("Chen", "陈", "Чэнь", "Chén"), ("Yang", "杨", "Ян", "Yáng"),
    ("Zhao", "赵", "Чжао", "Zhào"), ("Huang", "黄", "Хуан", "Huáng"), ("Zhou", "周", "Чжоу", "Zhōu"),
    ("Wu", "吴", "У", "Wú"), ("Ma", "马", "Ма", "Mǎ"), ("Guo", "郭", "Го", "Guō"),
]  # fmt: skip
HAN_GIVEN = [
    ("Xiao", "霄", "Сяо", "Xiāo"), ("Wei", "伟", "Вэй", "Wěi"), ("Fang", "芳", "Фан", "Fāng"),
    ("Min", "敏", "Минь", "Mǐn"), ("Jing", "静", "Цзин", "Jìng"), ("Lei", "磊", "Лэй", "Lěi"),
    ("Yan", "艳", "Янь", "Yàn"), ("Jun", "军", "Цзюнь", "Jūn"), ("Hui", "慧", "Хуэй", "Huì"),
    ("Tao", "涛", "Тао", "Tāo"), ("Ping", "平", "Пин", "Píng"), ("Qiang", "强", "Цян", "Qiáng"),
]  # fmt: skip
ORGANISATION_NAMES = [
    ("Atajurt", "Атажұрт"), ("Naghyz Atajurt", "Нағыз Атажұрт"), ("Steppe", "Дала"), ("Ili Valley", "Іле өңірі"),
    ("Altai", "Алтай"), ("Tarbagatai", "Тарбағатай"), ("Kazakh Diaspora", "Қазақ диаспорасы"), ("Aral", "Арал"),
    ("Zhetysu", "Жетісу"),
]  # fmt: skip
ORGANISATION_KINDS = [
    ("Volunteers", "еріктілері"), ("Human Rights Committee", "адам құқықтары комитеті"),
    ("Solidarity Group", "ынтымақ тобы"), ("Families Union", "отбасылар одағы"),
    ("Rights Watch", "құқық бақылауы"), ("Legal Aid Centre", "заң көмегі орталығы"),
]  # fmt: skip

# Kazakh Cyrillic to the 2021 Kazakh Latin alphabet (with its diacritics) and
# to the older English-language romanisation: two real ways the same name is
# spelled, which a reader may type.
KAZAKH_LATIN = dict(zip(
    "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
    ["a", "ä", "b", "v", "g", "ğ", "d", "e", "io", "j", "z", "i", "i", "k", "q", "l", "m", "n", "ñ", "o", "ö",
     "p", "r", "s", "t", "u", "ū", "ü", "f", "h", "h", "ts", "ch", "ş", "şş", "", "y", "ı", "", "e", "iu", "ia"],
    strict=True,
))  # fmt: skip
ROMANISED = dict(zip(
    "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
    ["a", "a", "b", "v", "g", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "k", "l", "m", "n", "n", "o", "o",
     "p", "r", "s", "t", "u", "u", "u", "f", "kh", "h", "ts", "ch", "sh", "shch", "", "y", "i", "", "e", "yu", "ya"],
    strict=True,
))  # fmt: skip
# How machine translation garbles a name ("Kunbolat" becomes "Kumbolat"): the first rule that applies.
GARBLINGS = [("nb", "mb"), ("zh", "j"), ("kh", "h"), ("ur", "ul"), ("ai", "ay"), ("ik", "ek"), ("y", "i"), ("a", "e")]

COUNTRIES = ["China", "Kazakhstan", "Kyrgyzstan", "Uzbekistan", "Tajikistan", "Turkey"]
PLACE_STARTS = ["Kara", "Ak", "Kok", "Sary", "Zhana", "Ulken", "Kishi", "Bes", "Kyzyl", "Ala", "Shu", "Ile", "Tal", "Bay", "Ust", "Zhel"]  # fmt: skip
PLACE_ENDS = ["tau", "su", "kol", "bulak", "tobe", "kent", "aryk", "dala", "shat", "kum", "ozek", "sai"]
SITES = [
    "Detention Centre No. {n}", "Police Station No. {n}", "{city} City Court", "Central Square",
    "Consulate General", "Akimat building", "Vocational Training Centre No. {n}", "Railway Station",
    "Prison No. {n}", "Border crossing",
]  # fmt: skip
# Five levels: countries, their regions, prefectures, cities and sites; how many children a place
# has at each level; and what share of the cases is placed at each level.
PLACE_KINDS = [Place.Kind.COUNTRY, Place.Kind.REGION, Place.Kind.PREFECTURE, Place.Kind.CITY, Place.Kind.SITE]
FANOUT = [5, 5, 6, 4]
PLACE_SHARES = [0.03, 0.07, 0.12, 0.33, 0.45]

AUTHORITIES = [
    "the {prefecture} Public Security Bureau", "state security officers", "the border police",
    "the {city} police", "the local police", "plain-clothes officers", "",
]  # fmt: skip
REASONS = [
    "“inciting separatism”", "travelling to Kazakhstan", "having WhatsApp on his phone", "praying at home",
    "“spreading extremism”", "holding an unauthorised picket", "speaking to foreign journalists",
    "contacting relatives abroad", "",
]  # fmt: skip
SENTENCES = [
    "ten years in prison",
    "seven years in prison",
    "15 days of administrative arrest",
    "three years",
    "",
    "",
    "",
]
DURATIONS = ["1,049 days", "two years", "eight months", "ten days", "", "", ""]
RELEASES = ["released on bail", "released after a fine", "", "", "", ""]
TARGETS = [
    "the Chinese Consulate General", "the akimat of {city}", "the {prefecture} court", "the Foreign Ministry",
    "the parliament building", "the police headquarters",
]  # fmt: skip
DEMANDS = [
    "the release of detained relatives", "news of a missing brother", "the return of children held in China",
    "an end to the camps", "a fair trial for the accused", "the right to leave China",
]  # fmt: skip
SLOGANS = [
    "Free my brother", "Where is my mother?", "Release our relatives", "We want the truth",
    "Stop the camps", "Let them come home",
]  # fmt: skip
SIZES = ["one person", "about 30 people", "several dozen people", "more than 100 people", "a few families", ""]
FILLERS = [
    "The report could not be independently verified.",
    "Relatives said they had received no official notice.",
    "The authorities did not answer requests for comment.",
    "Similar cases have been reported in the region since 2017.",
    "Human rights groups have documented dozens of such accounts.",
    "A video of the events was shared on social media.",
]
# How a report names the relation, for a man and for a woman.
RELATIONS = {
    PersonRelation.Relation.BROTHER: ("brother", None), PersonRelation.Relation.SISTER: (None, "sister"),
    PersonRelation.Relation.PARENT: ("father", "mother"), PersonRelation.Relation.CHILD: ("son", "daughter"),
    PersonRelation.Relation.SPOUSE: ("husband", "wife"),
}  # fmt: skip
DETENTION_STATUS = [Detention.Status.DETAINED, Detention.Status.SENTENCED, Detention.Status.RELEASED,
                    Detention.Status.NOT_STATED]  # fmt: skip
STATUS_WORDS = {
    Detention.Status.DETAINED: "is still detained",
    Detention.Status.SENTENCED: "has been sentenced",
    Detention.Status.RELEASED: "has since been released",
}
OUTCOME_WORDS = {
    Protest.Outcome.PEACEFUL: "peacefully",
    Protest.Outcome.INTERVENTION: "when the police intervened",
    Protest.Outcome.ARRESTS: "with arrests",
}
FORM_WORDS = {
    Protest.Form.PICKET: "a one-person picket",
    Protest.Form.RALLY: "a rally",
    Protest.Form.MARCH: "a march",
    Protest.Form.OTHER: "a protest",
}
# The forms of partial date the archive accepts, and how often each is drawn (per cent).
DATE_FORMS = [
    ("day", 44), ("month", 18), ("year", 10), ("two-days", 8), ("days", 3), ("months", 4), ("years", 2),
    ("approximate-year", 4), ("approximate-month", 3), ("uncertain-day", 2), ("both-month", 2),
]  # fmt: skip
TODAY = datetime.date(2026, 11, 27)


def transliterate(cyrillic, table):
    words = []
    for word in cyrillic.split():
        latin = "".join(table.get(ch, ch) for ch in word.lower())
        words.append(latin[:1].upper() + latin[1:])
    return " ".join(words)


def garble(name):
    for old, new in GARBLINGS:
        if old in name:
            return name.replace(old, new, 1)
    return name


def is_synthetic_database():
    """True when every record is synthetic (or there are none): the generator may write here."""
    foreign = (
        Source.objects.exclude(slug__startswith=SLUG_PREFIX).exists()
        or Person.objects.exclude(slug__startswith=SLUG_PREFIX).exists()
        or Place.objects.exclude(slug__startswith=SLUG_PREFIX).exists()
    )
    if foreign:
        return False
    if Case.objects.exists() or RetiredRef.objects.exists():
        latest = DataLoad.objects.order_by("-loaded_at", "-pk").first()
        return latest is not None and "synthetic_seed" in latest.counts
    return True


def fingerprint(cases, people, seed):
    """What identifies one synthetic data set: its size, seed, generator and the schema it was written to."""
    applied = sorted(name for app, name in MigrationRecorder(connection).applied_migrations() if app == "cases")
    text = f"synthetic v{GENERATOR_VERSION} cases={cases} people={people} seed={seed} schema={','.join(applied)}"
    return hashlib.sha256(text.encode()).hexdigest()


def generate(cases=100_000, people=None, seed=1, *, replace=False, reuse=False, log=None):
    """Replace the archive's records with a synthetic archive of ``cases`` cases; return a Report.

    Refuses (SyntheticDataRefused) when the database holds records that are
    not synthetic, unless ``replace``. With ``reuse``, does nothing when the
    database already holds exactly this data set (same size, seed, generator
    and schema).
    """
    people = people if people is not None else max(cases // 5, 10)
    if cases < 1 or people < 2:
        raise ValueError("a synthetic archive needs at least one case and two people")
    started = time.perf_counter()
    digest = fingerprint(cases, people, seed)
    latest = DataLoad.objects.order_by("-loaded_at", "-pk").first()
    if reuse and latest and latest.fixture_sha256 == digest and Case.objects.count() == cases:
        with transaction.atomic():  # derived by code that wrote another format: written again
            facets.summarize(latest)
        return Report(fingerprint=digest, counts=latest.counts, reused=True, seconds=time.perf_counter() - started)
    if not replace and not is_synthetic_database():
        raise SyntheticDataRefused(
            "this database holds records that are not synthetic (the archive's own data?); "
            "use a database of its own for benchmarks, or --replace to delete them"
        )
    with transaction.atomic():
        _clear()
        counts = _Generator(cases, people, seed, log or (lambda message: None)).run()
        index_cases()  # the case search's documents, as the loader writes them
        counts["synthetic_seed"] = seed
        DataLoad.objects.create(
            loaded_at=timezone.now(), fixture_sha256=digest, counts=counts, facets=facets.archive_summary()
        )
    # Fresh statistics, so the planner sees the data as a long-lived archive's would be
    # (VACUUM cannot run inside a transaction, as in a test).
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return Report(fingerprint=digest, counts=counts, seconds=time.perf_counter() - started)


def _clear():
    """Empty every table of the archive's records (not the history of loads), as ``flush`` would."""
    models = [m for m in apps.get_app_config("cases").get_models(include_auto_created=True) if m is not DataLoad]
    tables = [m._meta.db_table for m in models]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    if connection.vendor == "postgresql":
        # TRUNCATE refuses tables with deferred checks still pending in this transaction (rows
        # written earlier in it, as in a test): run those checks now, then defer again.
        statements = ["SET CONSTRAINTS ALL IMMEDIATE", *statements, "SET CONSTRAINTS ALL DEFERRED"]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@dataclass
class _Person:
    pk: int
    name: str
    short: str  # how a report names them the second time
    female: bool
    spellings: list  # Latin spellings a report may use


@dataclass
class _PlannedCase:
    case: Case
    details: object
    sentences: list  # (text, speaker pk or None, attribution)
    people: list  # (person, role, sentence index, spelling used)
    citations: dict  # field -> sentence indexes
    relation: tuple | None = None  # (person, relation, relative, sentence index)
    arose_from: int | None = None  # index in the chunk of the protest it arose from


class _Generator:
    def __init__(self, cases, people, seed, log):
        self.rng = random.Random(seed)
        self.total_cases = cases
        self.total_people = people
        self.log = log
        self.refs = set()
        self.counts = {"cases": 0, "people": 0, "places": 0, "sources": 0, "quotes": 0, "retired": 0,
                       "detentions": 0, "protests": 0}  # fmt: skip
        self.relations = set()

    def run(self):
        self.make_places()
        self.make_people()
        self.make_date_pool()
        done = 0
        while done < self.total_cases:
            size = min(CASES_PER_CHUNK, self.total_cases - done)
            self.make_chunk(done, size)
            done += size
            self.log(f"{done} of {self.total_cases} cases written")
        return self.counts

    # Reference data.

    @staticmethod
    def parse(edtf):
        return dates.parse(edtf)

    def make_places(self):
        """The tree, five levels deep, with each place's path, depth and full name derived as the loader does."""
        rng = self.rng
        level = [Place(name=name, kind=Place.Kind.COUNTRY, parent=None) for name in COUNTRIES]
        # A small archive (a test's) gets a small tree of the same depth.
        fanout = FANOUT if self.total_cases >= 10_000 else [2, 2, 2, 2]
        self.places = []
        for depth in range(len(PLACE_KINDS)):
            for place in level:
                # Ids chosen here (the table was just emptied), so that each path is known before
                # the insert: the loader's derivation without a second write per place.
                place.pk = len(self.places) + 1
                place.slug = f"{SLUG_PREFIX}{slugify(place.name)}-{place.pk}"
                place.modified = TODAY
                place.derive_tree_fields()
                self.places.append(place)
            if depth + 1 < len(PLACE_KINDS):
                kind = PLACE_KINDS[depth + 1]
                level = [
                    Place(name=name, kind=kind, parent=parent)
                    for parent in level
                    for name in self.child_names(parent, kind, fanout[depth])
                ]
        Place.objects.bulk_create(self.places, batch_size=BATCH_SIZE)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Place]):
                cursor.execute(statement)
        PlaceName.objects.bulk_create(
            [PlaceName(place=p, name=p.name, kind=PlaceName.Kind.CANONICAL, search_keys=stored_keys(p.name))
             for p in self.places], batch_size=BATCH_SIZE
        )  # fmt: skip
        self.counts["places"] = len(self.places)
        # Where cases happen: mostly at sites and in cities, a few known only to the region or
        # country; some places far more often than others, as in any real record.
        weights, self.place_choices = [], []
        for depth, share in enumerate(PLACE_SHARES):
            places = [p for p in self.places if p.depth == depth]
            rng.shuffle(places)
            ranks = [1 / (rank + 1) ** 0.7 for rank in range(len(places))]
            for place, weight in zip(places, ranks, strict=True):
                self.place_choices.append(place)
                weights.append(weight * share / sum(ranks))
        self.place_weights = _cumulative(weights)

    def child_names(self, parent, kind, count):
        if kind == Place.Kind.SITE:
            return [site.format(n=self.rng.randint(1, 30), city=parent.name) for site in self.rng.sample(SITES, count)]
        suffix = {Place.Kind.REGION: " Region", Place.Kind.PREFECTURE: " Prefecture"}.get(kind, "")
        return [self.rng.choice(PLACE_STARTS) + self.rng.choice(PLACE_ENDS) + suffix for _ in range(count)]

    def make_people(self):
        rng = self.rng
        organisations = min(len(ORGANISATION_NAMES) * len(ORGANISATION_KINDS), max(1, self.total_people // 100))
        org_names = [(a, b) for a in ORGANISATION_NAMES for b in ORGANISATION_KINDS]
        rng.shuffle(org_names)
        planned = [self.plan_organisation(*org_names[i]) for i in range(organisations)]
        planned += [self.plan_person() for _ in range(self.total_people - organisations)]
        persons = [
            Person(
                slug=f"{SLUG_PREFIX}{slugify(name)}-{i}",
                name=name,
                kind=kind,
                description=f"Synthetic {kind} for benchmarks; not a real {kind}.",
                modified=TODAY,
            )
            for i, (name, _, kind, _, _) in enumerate(planned, start=1)
        ]
        Person.objects.bulk_create(persons, batch_size=BATCH_SIZE)
        names, self.people, self.organisations = [], [], []
        for person, (name, short, kind, female, spellings) in zip(persons, planned, strict=True):
            names.append(
                PersonName(
                    person=person,
                    name=name,
                    kind=PersonName.Kind.CANONICAL,
                    search_key=search_key(name),
                    search_keys=stored_keys(name),
                )
            )
            seen = {name}
            for spelling, name_kind, language in spellings:
                if spelling not in seen:
                    seen.add(spelling)
                    names.append(
                        PersonName(person=person, name=spelling, kind=name_kind, language=language,
                                   search_key=search_key(spelling), search_keys=stored_keys(spelling))
                    )  # fmt: skip
            # A report in English spells the name as we do, or in the older romanisation.
            latin = [name] + [spelling for spelling, _, language in spellings if language == "ru-Latn"]
            record = _Person(pk=person.pk, name=name, short=short, female=female, spellings=latin)
            (self.organisations if kind == Person.Kind.ORGANISATION else self.people).append(record)
        PersonName.objects.bulk_create(names, batch_size=BATCH_SIZE)
        self.counts["people"] = len(persons)
        # A few people appear in many cases (an activist who pickets every week), most in one or two.
        self.people_weights = _cumulative([1 / (rank + 1) ** 0.5 for rank in range(len(self.people))])

    @staticmethod
    def plan_organisation(place, kind):
        (latin, cyrillic), (kind_en, kind_kk) = place, kind
        native = f"{cyrillic} {kind_kk}"
        spellings = [
            (native, PersonName.Kind.NATIVE, "kk-Cyrl"),
            (transliterate(native, KAZAKH_LATIN), PersonName.Kind.TRANSLITERATION, "kk-Latn"),
        ]
        return f"{latin} {kind_en}", latin, Person.Kind.ORGANISATION, False, spellings

    def plan_person(self):
        """(name, short name, kind, female, [(spelling, kind, language)]): a Kazakh name mostly, some Han."""
        rng = self.rng
        female = rng.random() < 0.4
        if rng.random() < 0.1:
            family = rng.choice(HAN_FAMILY)
            given = [rng.choice(HAN_GIVEN) for _ in range(rng.choice((1, 2)))]

            def spelled(i):
                return f"{family[i]} {''.join(g[i] for g in given).capitalize()}"

            name = spelled(0)
            spellings = [
                (family[1] + "".join(g[1] for g in given), PersonName.Kind.NATIVE, "zh-Hans"),
                (spelled(2), PersonName.Kind.NATIVE, "ru"),
                (spelled(3), PersonName.Kind.TRANSLITERATION, "zh-Latn-pinyin"),
            ]
            return name, name, Person.Kind.PERSON, female, spellings
        given = rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
        if rng.random() < 0.35:
            father = rng.choice(MALE_GIVEN)
            family = (
                father[0] + ("kyzy" if female else "uly"),
                father[1] + ("қызы" if female else "ұлы"),
                father[2] + ("克孜" if female else "乌勒"),
            )
        else:
            family = rng.choice(FAMILY)
        cyrillic = f"{given[1]} {family[1]}"
        spellings = [
            (cyrillic, PersonName.Kind.NATIVE, "kk-Cyrl"),
            (f"{given[2]}·{family[2]}", PersonName.Kind.NATIVE, "zh-Hans"),
            (transliterate(cyrillic, KAZAKH_LATIN), PersonName.Kind.TRANSLITERATION, "kk-Latn"),
            (transliterate(cyrillic, ROMANISED), PersonName.Kind.TRANSLITERATION, "ru-Latn"),
        ]
        return f"{given[0]} {family[0]}", family[0], Person.Kind.PERSON, female, spellings

    def make_date_pool(self):
        """Pools of partial dates of every form; parsing is slow, so each distinct date is parsed once."""
        total = min(1_500, max(40, self.total_cases // 10))
        self.date_pools = {}
        for form, weight in DATE_FORMS:
            edtfs = dict.fromkeys(self.edtf(form) for _ in range(max(2, total * weight // 100)))
            self.date_pools[form] = [self.parse(edtf) for edtf in edtfs]
        self.date_forms = [form for form, _ in DATE_FORMS]
        self.date_weights = _cumulative([weight for _, weight in DATE_FORMS])
        self.days = sorted((d.earliest, d.edtf) for d in self.date_pools["day"])

    def edtf(self, form):
        """A date of the given form, most in the years when most cases happened."""
        rng = self.rng
        year = min(2024, max(2005, round(rng.gauss(2018.5, 3.5))))
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        if form == "day":
            return day.isoformat()
        if form == "month":
            return f"{day:%Y-%m}"
        if form == "year":
            return f"{day:%Y}"
        if form == "two-days":
            return f"[{day.isoformat()},{day + datetime.timedelta(days=1)}]"
        if form == "days":
            return f"[{day.isoformat()}..{day + datetime.timedelta(days=rng.randint(2, 20))}]"
        if form == "months":
            return f"{day:%Y-%m}/{day + datetime.timedelta(days=rng.randint(31, 120)):%Y-%m}"
        if form == "years":
            return f"{day:%Y}/{min(2025, day.year + rng.randint(1, 2))}"
        if form == "approximate-year":
            return f"{day:%Y}~"
        if form == "approximate-month":
            return f"{day:%Y-%m}~"
        if form == "uncertain-day":
            return f"{day.isoformat()}?"
        return f"{day:%Y-%m}%"  # approximate and uncertain month

    def date(self):
        form = self.date_forms[bisect.bisect(self.date_weights, self.rng.random() * self.date_weights[-1])]
        return self.rng.choice(self.date_pools[form])

    # Cases, one chunk at a time: sources, their quotes, the cases citing them and what hangs off those.

    def new_ref(self):
        while True:
            ref = "".join(self.rng.choice(REF_ALPHABET) for _ in range(6))
            if ref not in self.refs and is_issuable_ref(ref):
                self.refs.add(ref)
                return ref

    def person(self):
        return self.people[bisect.bisect(self.people_weights, self.rng.random() * self.people_weights[-1])]

    def place(self):
        return self.place_choices[bisect.bisect(self.place_weights, self.rng.random() * self.place_weights[-1])]

    def spelling(self, person, machine_translated):
        """How a report spells the person: usually as we do, sometimes otherwise."""
        roll = self.rng.random()
        if machine_translated and roll < 0.3:
            return garble(person.name)
        if roll < 0.12 and len(person.spellings) > 1:
            return person.spellings[1]
        return person.name

    def plan_case(self, protests_so_far, machine_translated):
        rng = self.rng
        kind = Case.Kind.DETENTION if rng.random() < 0.55 else Case.Kind.PROTEST
        place = self.place()
        date = self.date()
        city = next((p.name for p in _ancestors(place) if p.kind == Place.Kind.CITY), place.name)
        prefecture = next((p.name for p in _ancestors(place) if p.kind == Place.Kind.PREFECTURE), place.name)
        when = _when(date)
        created = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(1200))
        case = Case(
            ref=self.new_ref(),
            kind=kind,
            place_id=place.pk,
            date_edtf=date.edtf,
            date_earliest=date.earliest,
            date_latest=date.latest,
            date_display=date.display,
            created=created,
            modified=min(TODAY, created + datetime.timedelta(days=rng.choice((0, 0, 0, 3, 40, 200)))),
        )
        main = self.person()
        said = self.spelling(main, machine_translated)
        people = []
        sentences = []
        citations = {}
        relation = None
        arose_from = None
        if kind == Case.Kind.DETENTION:
            authority = rng.choice(AUTHORITIES).format(prefecture=prefecture, city=city)
            reason, sentence = rng.choice(REASONS), rng.choice(SENTENCES)
            duration, release = rng.choice(DURATIONS), rng.choice(RELEASES)
            status = rng.choice(DETENTION_STATUS)
            if release:
                status = Detention.Status.RELEASED
            elif sentence and status != Detention.Status.RELEASED:
                status = Detention.Status.SENTENCED
            details = Detention(
                authority=authority,
                reason=reason,
                sentence=sentence,
                duration=duration,
                release=release,
                status=status,
            )
            by = f" by {authority}" if authority else ""
            sentences.append(f"{when}, {said} was detained{by} in {place.name}.")
            people.append((main, Involvement.Role.DETAINED, 0, said))
            citations = {"case": [0], "date": [0], "place": [0]}
            if authority:
                citations["authority"] = [0]
            if reason or sentence:
                parts = []
                if reason:
                    parts.append(f"officials accused {main.short} of {reason}")
                if sentence:
                    parts.append(f"a court sentenced {main.short} to {sentence}")
                sentences.append(f"According to the family, {' and '.join(parts)}.")
                if reason:
                    citations["reason"] = [1]
                if sentence:
                    citations["sentence"] = [1]
            if status != Detention.Status.NOT_STATED or duration or release:
                witness = self.person()
                if witness.pk != main.pk and rng.random() < 0.7:
                    relative_word = rng.choice([r for r, words in RELATIONS.items() if words[witness.female]])
                    spoken = self.spelling(witness, machine_translated)
                    facts = []
                    if duration:
                        facts.append(f"had been held for {duration}")
                    if status in STATUS_WORDS and not (release and status == Detention.Status.RELEASED):
                        facts.append(STATUS_WORDS[status])
                    if release:
                        facts.append(f"was {release}")
                    facts = facts or ["was still missing"]
                    sentences.append(
                        (f"{spoken}, the {RELATIONS[relative_word][witness.female]} of {main.short}, told the reporter that "
                         f"{main.short} {' and '.join(facts)}.", witness.pk, f"{witness.name}, speaking to the reporter")
                    )  # fmt: skip
                    at = len(sentences) - 1
                    people.append((witness, Involvement.Role.SOURCE, at, spoken))
                    if (witness.pk, relative_word, main.pk) not in self.relations:
                        self.relations.add((witness.pk, relative_word, main.pk))
                        relation = (witness, relative_word, main, at)
                    for name, shown in (("duration", duration), ("release", release),
                                        ("status", status != Detention.Status.NOT_STATED)):  # fmt: skip
                        if shown:
                            citations[name] = [at]
                else:
                    details.duration = details.release = ""
                    details.status = Detention.Status.NOT_STATED
            if protests_so_far and rng.random() < 0.1:
                arose_from = rng.choice(protests_so_far)
                sentences.append(f"The detention followed a protest {main.short} had taken part in.")
                citations["arose_from"] = [len(sentences) - 1]
            case.title = rng.choice(
                [f"{main.name} detained in {place.name}", f"Detention of {main.name}"]
                + ([f"{main.name} sentenced to {sentence}"] if sentence else [])
            )
            case.summary = (
                f"{main.name} was detained{by} in {place.full_name}, {date.display}."
                + (f" The stated reason was {reason}." if reason else "")
                + (f" Sentenced to {sentence}." if sentence else "")
            )
        else:
            form = rng.choices(list(Protest.Form), (50, 25, 10, 15))[0]
            target = rng.choice(TARGETS).format(prefecture=prefecture, city=city)
            size = "one person" if form == Protest.Form.PICKET else rng.choice(SIZES)
            demands, slogans = rng.choice(DEMANDS), rng.choice(SLOGANS)
            outcome = rng.choice(list(Protest.Outcome))
            details = Protest(form=form, size=size, target=target, demands=demands, slogans=slogans, outcome=outcome)
            sentences.append(f"{when}, {said} held {FORM_WORDS[form]} in front of {target} in {place.name}.")
            people.append((main, Involvement.Role.PROTESTER, 0, said))
            citations = {"case": [0], "date": [0], "place": [0], "form": [0], "target": [0]}
            if size:
                sentences.append(f"The protest drew {size}.")
                citations["size"] = [len(sentences) - 1]
            sentences.append(f"The placard read “{slogans}”, demanding {demands}.")
            citations["slogans"] = citations["demands"] = [len(sentences) - 1]
            if outcome in OUTCOME_WORDS:
                sentences.append(f"The protest ended {OUTCOME_WORDS[outcome]}.")
                citations["outcome"] = [len(sentences) - 1]
            if form == Protest.Form.RALLY and self.organisations and rng.random() < 0.5:
                organiser = rng.choice(self.organisations)
                sentences.append(f"The rally was organised by {organiser.name}.")
                people.append((organiser, Involvement.Role.ORGANISER, len(sentences) - 1, organiser.name))
            if form in (Protest.Form.RALLY, Protest.Form.MARCH) and rng.random() < 0.4:
                other = self.person()
                if other.pk != main.pk:
                    spoken = self.spelling(other, machine_translated)
                    sentences.append(f"{spoken} was among the protesters.")
                    people.append((other, Involvement.Role.PROTESTER, len(sentences) - 1, spoken))
            case.title = rng.choice(
                [f"{main.name} protests in front of {target}", f"{FORM_WORDS[form].capitalize()} in {place.name}"]
            )
            case.summary = (
                f"{main.name} held {FORM_WORDS[form]} in {place.full_name}, {date.display}, demanding {demands}."
            )
        sentences = [s if isinstance(s, tuple) else (s, None, "") for s in sentences]
        return _PlannedCase(case, details, sentences, people, citations, relation, arose_from)

    def make_chunk(self, first, size):
        rng = self.rng
        planned, protest_indexes = [], []
        sources, texts = [], []
        source_of = []  # per planned case: (source index, first quote number)
        quote_rows = []  # per source: list of (number, start, end, exact, speaker, attribution)
        for start in range(0, size, CASES_PER_SOURCE):
            source_index = len(sources)
            machine_translated = rng.random() < 0.2
            parts, offset, quotes = [], 0, []
            latest = datetime.date(1, 1, 1)
            for i in range(start, min(start + CASES_PER_SOURCE, size)):
                plan = self.plan_case(protest_indexes, machine_translated)
                planned.append(plan)
                if plan.case.kind == Case.Kind.PROTEST:
                    protest_indexes.append(i)
                latest = max(latest, plan.case.date_latest)
                source_of.append((source_index, len(quotes) + 1))
                for text, speaker, attribution in plan.sentences:
                    if parts:
                        parts.append(" ")
                        offset += 1
                    parts.append(text)
                    quotes.append((len(quotes) + 1, offset, offset + len(text), text, speaker, attribution))
                    offset += len(text)
                if rng.random() < 0.5:
                    filler = " " + rng.choice(FILLERS)
                    parts.append(filler)
                    offset += len(filler)
                parts.append("\n\n")
                offset += 2
            text = "".join(parts)
            number = (first + start) // CASES_PER_SOURCE + 1
            source = Source(
                slug=f"{SLUG_PREFIX}report-{number:06d}",
                title=f"Synthetic report {number}: {planned[start].case.title}",
                publisher=SYNTHETIC_PUBLISHER,
                author=rng.choice(["", "", "Staff reporter", "A correspondent"]),
                language="en",
                original_language=rng.choice(["zh-Hans", "kk", "ru"]) if machine_translated else "",
                is_machine_translation=machine_translated,
                translation_note="A machine translation, with names garbled in places." if machine_translated else "",
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                notes="Synthetic text for benchmarks: not a real report.",
                retrieved=TODAY,
                modified=TODAY,
            )
            published = self.published_after(latest)
            source.published_edtf, source.published_earliest = published.edtf, published.earliest
            source.published_latest, source.published_display = published.latest, published.display
            sources.append(source)
            texts.append(text)
            quote_rows.append(quotes)
        Source.objects.bulk_create(sources, batch_size=200)
        quote_objects = []
        for source, quotes in zip(sources, quote_rows, strict=True):
            quote_objects.append([
                Quote(source_id=source.pk, number=n, exact=exact, start=s, end=e, speaker_id=speaker,
                      attribution=attribution)
                for n, s, e, exact, speaker, attribution in quotes
            ])  # fmt: skip
        Quote.objects.bulk_create([q for qs in quote_objects for q in qs], batch_size=BATCH_SIZE)

        Case.objects.bulk_create([p.case for p in planned], batch_size=BATCH_SIZE)

        def quote(i, sentence):
            source_index, number = source_of[i]
            return quote_objects[source_index][number - 1 + sentence]

        protests, detentions = [], []
        for plan in planned:
            plan.details.case = plan.case
            (protests if plan.case.kind == Case.Kind.PROTEST else detentions).append(plan.details)
        Protest.objects.bulk_create(protests, batch_size=BATCH_SIZE)
        for plan in planned:
            if plan.arose_from is not None:
                plan.details.arose_from_id = planned[plan.arose_from].case.pk
        Detention.objects.bulk_create(detentions, batch_size=BATCH_SIZE)

        involvements, citations, spellings, relations, seen = [], [], [], [], set()
        for i, plan in enumerate(planned):
            for person, role, sentence, said in plan.people:
                if (person.pk, role) in seen:
                    continue
                seen.add((person.pk, role))
                involvement = Involvement(case_id=plan.case.pk, person_id=person.pk, role=role)
                involvements.append((involvement, quote(i, sentence)))
                if said != person.name:
                    spellings.append(
                        PersonName(person_id=person.pk, name=said, kind=PersonName.Kind.SOURCE,
                                   quote=quote(i, sentence), search_key=search_key(said), search_keys=stored_keys(said))
                    )  # fmt: skip
            seen.clear()
            for name, sentence_indexes in plan.citations.items():
                for sentence in sentence_indexes:
                    citations.append(Citation(case_id=plan.case.pk, field=name, quote=quote(i, sentence)))
            if plan.relation:
                person, relation, relative, sentence = plan.relation
                relations.append(
                    PersonRelation(person_id=person.pk, relation=relation, relative_id=relative.pk,
                                   quote=quote(i, sentence))
                )  # fmt: skip
        Involvement.objects.bulk_create([row for row, _ in involvements], batch_size=BATCH_SIZE)
        through = Involvement.quotes.through
        links = [through(involvement_id=row.pk, quote_id=q.pk) for row, q in involvements]
        through.objects.bulk_create(links, batch_size=BATCH_SIZE)
        Citation.objects.bulk_create(citations, batch_size=BATCH_SIZE)
        PersonName.objects.bulk_create(spellings, batch_size=BATCH_SIZE)
        PersonRelation.objects.bulk_create(relations, batch_size=BATCH_SIZE)

        # A few refs once published and since retired: merged into another case (301) or withdrawn (410).
        retired = []
        for _ in range(max(0, size // 200)):
            if rng.random() < 0.5:
                successor = rng.choice(planned).case
                retired.append(RetiredRef(ref=self.new_ref(), status=RetiredRef.Status.REPLACED,
                                          title=successor.title, reason="Merged with a duplicate record of the same "
                                          "detention.", replaced_by_id=successor.pk, retired=TODAY))  # fmt: skip
            else:
                retired.append(RetiredRef(ref=self.new_ref(), status=RetiredRef.Status.WITHDRAWN,
                                          title="A withdrawn synthetic record", reason="The source was found to "
                                          "describe a different event.", retired=TODAY))  # fmt: skip
        RetiredRef.objects.bulk_create(retired, batch_size=BATCH_SIZE)

        self.counts["cases"] += len(planned)
        self.counts["detentions"] += len(detentions)
        self.counts["protests"] += len(protests)
        self.counts["sources"] += len(sources)
        self.counts["quotes"] += sum(len(q) for q in quote_rows)
        self.counts["retired"] += len(retired)

    def published_after(self, day):
        """A report's date: the first pooled day after its latest event, else the month after."""
        at = bisect.bisect_right(self.days, (day, "\uffff"))
        if at < len(self.days) and (self.days[at][0] - day).days < 60:
            return self.parse(self.days[at][1])
        following = day.replace(day=1) + datetime.timedelta(days=32)
        return self.parse(f"{following:%Y-%m}")


def _when(date):
    """How a report's sentence opens with a date: "On 1 February 2021", "In 2018", "About 2018"."""
    if date.display.startswith(("about", "between")):
        return date.display[:1].upper() + date.display[1:]
    return f"{'On' if date.precision == 'day' else 'In'} {date.display}"


def _ancestors(place):
    while place is not None:
        yield place
        place = place.parent


def _cumulative(weights):
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out
