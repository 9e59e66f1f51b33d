"""Synthetic data for the benchmark: a fixture folder that ``manage.py loadarchive`` loads.

    python bench/synthetic.py --cases 100000 --seed 1 --out var/bench/fixture

writes ``archive.json`` (the format of ``fixtures/archive.json``) and the source
texts it names under ``sources/``, with their SHA-256. The benchmark then loads
it with the loader curators use, so every record passes the same checks as the
real data: quotes found verbatim at their offsets and made of whole sentences,
every sentence of every text used by a record or listed as unused with the
reason, a basis for every fact shown (stated with its quotes, or derived with
its rule and inputs), a speaker for what rests on one person's word, refs a
spreadsheet cannot mistake for numbers.

It looks like the real archive at scale: cases of both kinds with their
details, a few people in very many cases, names in Latin, Cyrillic and Chinese
script (with diacritics and machine-translation garbles), a place tree five
levels deep, dates of every precision the archive accepts (EDTF sets such as
``[2021-02-01,2021-02-02]`` among them), sources shared by ten cases each,
relations, statements, retired refs.

None of it is real: every source's publisher is ``SYNTHETIC_PUBLISHER`` and
every slug starts with ``synthetic-``. The same seed and size give the same
files, byte for byte, and a larger archive of the same seed keeps the smaller
one's refs, so it loads over it.
"""

import argparse
import bisect
import datetime
import hashlib
import json
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: the project's modules
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

import django  # noqa: E402

django.setup()

from django.utils.text import slugify  # noqa: E402

from cases import dates  # noqa: E402
from cases.models import REF_ALPHABET, is_issuable_ref  # noqa: E402

SYNTHETIC_PUBLISHER = "SYNTHETIC — benchmark data"
SLUG_PREFIX = "synthetic-"
CASES_PER_SOURCE = 10

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
PLACE_KINDS = ["country", "region", "prefecture", "city", "site"]
FANOUT = [5, 5, 6, 4]
SMALL_FANOUT = [2, 2, 2, 2]  # a small archive (a test's) gets a small tree of the same depth
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
# Sentences a report adds that are no fact of a case: a statement of the kind given, or (None) unused, with the reason.
FILLERS = [
    ("The report could not be independently verified.", None, "A note on the report itself, not a fact of any record."),
    ("A video of the events was shared on social media.", None, "Says how the news spread, not what happened."),
    ("Relatives said they had received no official notice.", "allegation", "Relatives received no official notice."),
    ("The authorities did not answer requests for comment.", "context", "The authorities did not comment."),
    ("Similar cases have been reported in the region since 2017.", "pattern", "Similar cases since 2017."),
    ("Human rights groups have documented dozens of such accounts.", "pattern", "Dozens of such accounts."),
]
HEADLINE_REASON = "The headline: it repeats what the report's first passage says."
# How a report names the relation, for a man and for a woman.
RELATIONS = {"brother": ("brother", None), "sister": (None, "sister"), "parent": ("father", "mother"),
             "child": ("son", "daughter"), "spouse": ("husband", "wife")}  # fmt: skip
DETENTION_STATUS = ["detained", "sentenced", "released", "not-stated"]
STATUS_WORDS = {
    "detained": "is still detained",
    "sentenced": "has been sentenced",
    "released": "has since been released",
}
OUTCOME_WORDS = {"peaceful": "peacefully", "intervention": "when the police intervened", "arrests": "with arrests"}
PROTEST_OUTCOMES = ["peaceful", "intervention", "arrests", "not-stated"]
FORM_WORDS = {"one-person-picket": "a one-person picket", "rally": "a rally", "march": "a march", "other": "a protest"}
# The forms of partial date the archive accepts, and how often each is drawn (per cent).
DATE_FORMS = [
    ("day", 44), ("month", 18), ("year", 10), ("two-days", 8), ("days", 3), ("months", 4), ("years", 2),
    ("approximate-year", 4), ("approximate-month", 3), ("uncertain-day", 2), ("both-month", 2),
]  # fmt: skip
# A case the report dates only by "today": its date is derived from the report's publication date.
TODAY_SHARE = 0.05
TODAY = datetime.date(2026, 11, 27)
NOTE = {"label": "note", "text": "Synthetic record for benchmarks; not a real {kind}.", "unsourced": True}


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


def write_fixture(out, cases=100_000, seed=1, people=None):
    """Write a synthetic fixture folder of ``cases`` cases into ``out``; return the path of its archive.json."""
    people = people if people is not None else max(cases // 5, 10)
    if cases < 1 or people < 2:
        raise ValueError("a synthetic archive needs at least one case and two people")
    data, texts = _Generator(cases, people, seed).run()
    out = Path(out)
    (out / "sources").mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (out / name).write_bytes(text.encode())
    path = out / "archive.json"
    path.write_bytes((json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode())
    return path


@dataclass
class _Place:
    slug: str
    name: str
    kind: str
    depth: int
    full_name: str
    parent: "_Place | None"


@dataclass
class _Person:
    slug: str
    name: str
    short: str  # how a report names them the second time
    female: bool
    spellings: list  # Latin spellings a report may use
    record: dict = field(repr=False, default_factory=dict)
    spelled: set = field(repr=False, default_factory=set)  # (name, quote) already listed as spelled in a source


@dataclass
class _Sentence:
    text: str
    speaker: _Person | None = None
    attribution: str = ""
    unused: str = ""  # why no record uses it; such a sentence is no quote
    key: str = ""  # the quote's key, once the source is written


@dataclass
class _PlannedCase:
    record: dict
    sentences: list  # _Sentence
    people: list  # (person, role, sentence index, spelling used, garbled)
    citations: dict  # field -> sentence indexes
    relation: tuple | None = None  # (person, relation, relative, sentence index)
    statements: list = field(default_factory=list)  # (sentence index, kind, summary)
    describe: object = None  # date -> (title, summary), for a case dated by "today" once the report's date is known


class _Generator:
    def __init__(self, cases, people, seed):
        self.rng = random.Random(seed)
        # Refs from streams of their own: a larger archive of the same seed keeps the smaller one's refs.
        self.ref_rng = random.Random(f"refs-{seed}")
        self.retired_rng = random.Random(f"retired-{seed}")
        self.total_cases = cases
        self.total_people = people
        self.refs = set()
        self.relations = set()
        self.protests = []  # refs of the protests written so far
        self.fixture = {key: [] for key in ("sources", "places", "people", "relations", "statements", "cases")}
        self.fixture["retired"] = []
        self.texts = {}

    def run(self):
        self.make_places()
        self.make_people()
        self.make_date_pool()
        for first in range(0, self.total_cases, CASES_PER_SOURCE):
            self.make_source(first, min(CASES_PER_SOURCE, self.total_cases - first))
        self.make_retired()
        self.fixture["people"] = [person.record for person in self.organisations + self.people]
        return self.fixture, self.texts

    # Reference data.

    def make_places(self):
        rng = self.rng
        fanout = FANOUT if self.total_cases >= 10_000 else SMALL_FANOUT
        level = [(name, None) for name in COUNTRIES]
        places = []
        for depth, kind in enumerate(PLACE_KINDS):
            made = []
            for name, parent in level:
                full_name = name if parent is None else f"{name}, {parent.full_name}"
                place = _Place(f"{SLUG_PREFIX}{slugify(name)}-{len(places) + 1}", name, kind, depth, full_name, parent)
                places.append(place)
                made.append(place)
                record = {"slug": place.slug, "name": name, "kind": kind, "modified": TODAY.isoformat()}
                if parent is not None:
                    record["parent"] = parent.slug
                if kind == "city" and rng.random() < 0.2:  # coordinates, an editorial addition
                    record["latitude"] = round(rng.uniform(36, 50), 4)
                    record["longitude"] = round(rng.uniform(60, 90), 4)
                    record["coordinates_basis"] = {"unsourced": True}
                self.fixture["places"].append(record)
            if depth + 1 < len(PLACE_KINDS):
                child = PLACE_KINDS[depth + 1]
                level = [(name, parent) for parent in made for name in self.child_names(parent, child, fanout[depth])]
        # Where cases happen: mostly at sites and in cities, a few known only to the region or
        # country; some places far more often than others, as in any real record.
        weights, self.place_choices = [], []
        for depth, share in enumerate(PLACE_SHARES):
            at_depth = [p for p in places if p.depth == depth]
            rng.shuffle(at_depth)
            ranks = [1 / (rank + 1) ** 0.7 for rank in range(len(at_depth))]
            for place, weight in zip(at_depth, ranks, strict=True):
                self.place_choices.append(place)
                weights.append(weight * share / sum(ranks))
        self.place_weights = _cumulative(weights)

    def child_names(self, parent, kind, count):
        if kind == "site":
            return [site.format(n=self.rng.randint(1, 30), city=parent.name) for site in self.rng.sample(SITES, count)]
        suffix = {"region": " Region", "prefecture": " Prefecture"}.get(kind, "")
        return [self.rng.choice(PLACE_STARTS) + self.rng.choice(PLACE_ENDS) + suffix for _ in range(count)]

    def make_people(self):
        rng = self.rng
        organisations = min(len(ORGANISATION_NAMES) * len(ORGANISATION_KINDS), max(1, self.total_people // 100))
        org_names = [(a, b) for a in ORGANISATION_NAMES for b in ORGANISATION_KINDS]
        rng.shuffle(org_names)
        planned = [self.plan_organisation(*org_names[i]) for i in range(organisations)]
        planned += [self.plan_person() for _ in range(self.total_people - organisations)]
        self.people, self.organisations = [], []
        for i, (name, short, kind, female, spellings) in enumerate(planned, start=1):
            record = {"slug": f"{SLUG_PREFIX}{slugify(name)}-{i}", "name": name, "modified": TODAY.isoformat()}
            if kind == "organisation":
                record["kind"] = kind
            record["editorial"] = [dict(NOTE, text=NOTE["text"].format(kind=kind))]
            names, seen = [], {name}
            for spelling, name_kind, language in spellings:
                if spelling not in seen:
                    seen.add(spelling)
                    names.append({"name": spelling, "kind": name_kind, "language": language})
            record["names"] = names
            # A report in English spells the name as we do, or in the older romanisation.
            latin = [name] + [spelling for spelling, _, language in spellings if language == "ru-Latn"]
            person = _Person(record["slug"], name, short, female, latin, record)
            (self.organisations if kind == "organisation" else self.people).append(person)
        # A few people appear in many cases (an activist who pickets every week), most in one or two.
        self.people_weights = _cumulative([1 / (rank + 1) ** 0.5 for rank in range(len(self.people))])

    @staticmethod
    def plan_organisation(place, kind):
        (latin, cyrillic), (kind_en, kind_kk) = place, kind
        native = f"{cyrillic} {kind_kk}"
        spellings = [(native, "native", "kk-Cyrl"), (transliterate(native, KAZAKH_LATIN), "transliteration", "kk-Latn")]
        return f"{latin} {kind_en}", latin, "organisation", False, spellings

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
                (family[1] + "".join(g[1] for g in given), "native", "zh-Hans"),
                (spelled(2), "native", "ru"),
                (spelled(3), "transliteration", "zh-Latn-pinyin"),
            ]
            return name, name, "person", female, spellings
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
            (cyrillic, "native", "kk-Cyrl"),
            (f"{given[2]}·{family[2]}", "native", "zh-Hans"),
            (transliterate(cyrillic, KAZAKH_LATIN), "transliteration", "kk-Latn"),
            (transliterate(cyrillic, ROMANISED), "transliteration", "ru-Latn"),
        ]
        return f"{given[0]} {family[0]}", family[0], "person", female, spellings

    def make_date_pool(self):
        """Pools of partial dates of every form; parsing is slow, so each distinct date is parsed once."""
        total = min(1_500, max(40, self.total_cases // 10))
        self.date_pools = {}
        for form, weight in DATE_FORMS:
            edtfs = dict.fromkeys(self.edtf(form) for _ in range(max(2, total * weight // 100)))
            self.date_pools[form] = [dates.parse(edtf) for edtf in edtfs]
        self.date_forms = [form for form, _ in DATE_FORMS]
        self.date_weights = _cumulative([weight for _, weight in DATE_FORMS])
        self.days = sorted((d.earliest, d.edtf) for d in self.date_pools["day"])
        self.dated = 0

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
        """A case's date: the first cases take every form in turn, so that even a small archive has each."""
        if self.dated < len(self.date_forms):
            form = self.date_forms[self.dated]
        else:
            form = self.date_forms[bisect.bisect(self.date_weights, self.rng.random() * self.date_weights[-1])]
        self.dated += 1
        return self.rng.choice(self.date_pools[form])

    def published_after(self, day):
        """A report's date: the first pooled day after its latest event, else the month after."""
        at = bisect.bisect_right(self.days, (day, "\uffff"))
        if at < len(self.days) and (self.days[at][0] - day).days < 60:
            return dates.parse(self.days[at][1])
        following = day.replace(day=1) + datetime.timedelta(days=32)
        return dates.parse(f"{following:%Y-%m}")

    # Cases, one source at a time: its text, its quotes, the cases citing them and what hangs off those.

    def new_ref(self, rng):
        while True:
            ref = "".join(rng.choice(REF_ALPHABET) for _ in range(6))
            if ref not in self.refs and is_issuable_ref(ref):
                self.refs.add(ref)
                return ref

    def person(self):
        return self.people[bisect.bisect(self.people_weights, self.rng.random() * self.people_weights[-1])]

    def place(self):
        return self.place_choices[bisect.bisect(self.place_weights, self.rng.random() * self.place_weights[-1])]

    def spelling(self, person, machine_translated):
        """How a report spells the person, usually as we do, and whether machine translation garbled it."""
        roll = self.rng.random()
        if machine_translated and roll < 0.3 and garble(person.name) != person.name:
            return garble(person.name), True
        if roll < 0.12 and len(person.spellings) > 1:
            return person.spellings[1], False
        return person.name, False

    def plan_case(self, machine_translated):
        rng = self.rng
        kind = "detention" if rng.random() < 0.55 else "protest"
        place = self.place()
        today = rng.random() < TODAY_SHARE
        date = None if today else self.date()
        city = next((p.name for p in _ancestors(place) if p.kind == "city"), place.name)
        prefecture = next((p.name for p in _ancestors(place) if p.kind == "prefecture"), place.name)
        when = "Today" if today else _when(date)
        created = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(1200))
        modified = min(TODAY, created + datetime.timedelta(days=rng.choice((0, 0, 0, 3, 40, 200))))
        record = {
            "ref": self.new_ref(self.ref_rng),
            "kind": kind,
            "title": "",
            "summary": "",
            "date": None if today else date.edtf,
            "place": place.slug,
            "created": created.isoformat(),
            "modified": modified.isoformat(),
        }
        main = self.person()
        said, garbled = self.spelling(main, machine_translated)
        plan = _PlannedCase(record, [], [], {})
        sentences, people, citations = plan.sentences, plan.people, plan.citations
        if kind == "detention":
            authority = rng.choice(AUTHORITIES).format(prefecture=prefecture, city=city)
            reason, sentence = rng.choice(REASONS), rng.choice(SENTENCES)
            duration, release = rng.choice(DURATIONS), rng.choice(RELEASES)
            status = rng.choice(DETENTION_STATUS)
            if release:
                status = "released"
            elif sentence and status != "released":
                status = "sentenced"
            by = f" by {authority}" if authority else ""
            sentences.append(_Sentence(f"{when}, {said} was detained{by} in {place.name}."))
            people.append((main, "detained", 0, said, garbled))
            citations.update({"case": [0], "date": [0], "place": [0]})
            if authority:
                citations["authority"] = [0]
            if reason or sentence:
                parts = []
                if reason:
                    parts.append(f"officials accused {main.short} of {reason}")
                if sentence:
                    parts.append(f"a court sentenced {main.short} to {sentence}")
                sentences.append(_Sentence(f"According to the family, {' and '.join(parts)}."))
                if reason:
                    citations["reason"] = [1]
                if sentence:
                    citations["sentence"] = [1]
            witness = self.person()
            if (status != "not-stated" or duration or release) and witness is not main and rng.random() < 0.7:
                # One relative's word carries these facts: the quote names its speaker.
                relation = rng.choice([r for r, words in RELATIONS.items() if words[witness.female]])
                spoken, garbled_witness = self.spelling(witness, machine_translated)
                facts = []
                if duration:
                    facts.append(f"had been held for {duration}")
                if status in STATUS_WORDS and not (release and status == "released"):
                    facts.append(STATUS_WORDS[status])
                if release:
                    facts.append(f"was {release}")
                text = (f"{spoken}, the {RELATIONS[relation][witness.female]} of {main.short}, told the reporter "
                        f"that {main.short} {' and '.join(facts or ['was still missing'])}.")  # fmt: skip
                sentences.append(_Sentence(text, witness, f"{witness.name}, speaking to the reporter"))
                at = len(sentences) - 1
                people.append((witness, "source-of-statement", at, spoken, garbled_witness))
                if (witness.slug, relation, main.slug) not in self.relations:
                    self.relations.add((witness.slug, relation, main.slug))
                    plan.relation = (witness, relation, main, at)
                for name, shown in (("duration", duration), ("release", release), ("status", status != "not-stated")):
                    if shown:
                        citations[name] = [at]
            else:
                duration = release = ""
                status = "not-stated"
            details = {"authority": authority, "reason": reason, "sentence": sentence, "duration": duration,
                       "release": release}  # fmt: skip
            details = {name: value for name, value in details.items() if value}
            details["status"] = status
            if self.protests and rng.random() < 0.1:
                details["arose_from"] = rng.choice(self.protests)
                sentences.append(_Sentence(f"The detention followed a protest {main.short} had taken part in."))
                citations["arose_from"] = [len(sentences) - 1]
            record["detention"] = details
            choice = rng.randrange(3 if sentence else 2)

            def describe(date):
                titles = [f"{main.name} detained in {place.name}", f"Detention of {main.name}",
                          f"{main.name} sentenced to {sentence}"]  # fmt: skip
                summary = (
                    f"{main.name} was detained{by} in {place.full_name}, {date.display}."
                    + (f" The stated reason was {reason}." if reason else "")
                    + (f" Sentenced to {sentence}." if sentence else "")
                )
                return titles[choice], summary
        else:
            form = rng.choices(list(FORM_WORDS), (50, 25, 10, 15))[0]
            target = rng.choice(TARGETS).format(prefecture=prefecture, city=city)
            size = "one person" if form == "one-person-picket" else rng.choice(SIZES)
            demands, slogans = rng.choice(DEMANDS), rng.choice(SLOGANS)
            outcome = rng.choice(PROTEST_OUTCOMES)
            sentences.append(_Sentence(f"{when}, {said} held {FORM_WORDS[form]} in front of {target} in {place.name}."))
            people.append((main, "protester", 0, said, garbled))
            citations.update({"case": [0], "date": [0], "place": [0], "form": [0], "target": [0]})
            if size:
                sentences.append(_Sentence(f"The protest drew {size}."))
                citations["size"] = [len(sentences) - 1]
            sentences.append(_Sentence(f"The placard read “{slogans}”, demanding {demands}."))
            citations["slogans"] = citations["demands"] = [len(sentences) - 1]
            if outcome in OUTCOME_WORDS:
                sentences.append(_Sentence(f"The protest ended {OUTCOME_WORDS[outcome]}."))
                citations["outcome"] = [len(sentences) - 1]
            if form == "rally" and self.organisations and rng.random() < 0.5:
                organiser = rng.choice(self.organisations)
                sentences.append(_Sentence(f"The rally was organised by {organiser.name}."))
                people.append((organiser, "organiser", len(sentences) - 1, organiser.name, False))
            if form in ("rally", "march") and rng.random() < 0.4:
                other = self.person()
                if other is not main:
                    spoken, garbled_other = self.spelling(other, machine_translated)
                    sentences.append(_Sentence(f"{spoken} was among the protesters."))
                    people.append((other, "protester", len(sentences) - 1, spoken, garbled_other))
            record["protest"] = {"form": form, "size": size, "target": target, "demands": demands,
                                 "slogans": slogans, "outcome": outcome}  # fmt: skip
            record["protest"] = {name: value for name, value in record["protest"].items() if value}
            self.protests.append(record["ref"])
            choice = rng.randrange(2)

            def describe(date):
                titles = [
                    f"{main.name} protests in front of {target}",
                    f"{FORM_WORDS[form].capitalize()} in {place.name}",
                ]
                summary = (
                    f"{main.name} held {FORM_WORDS[form]} in {place.full_name}, {date.display}, demanding {demands}."
                )
                return titles[choice], summary

        if today:
            del citations["date"]  # derived from the report's date, once that is known
            plan.describe = describe
        else:
            record["title"], record["summary"] = describe(date)
        return plan

    def make_source(self, first, count):
        rng = self.rng
        number = first // CASES_PER_SOURCE + 1
        slug = f"{SLUG_PREFIX}report-{number:06d}"
        machine_translated = rng.random() < 0.2
        plans = [self.plan_case(machine_translated) for _ in range(count)]
        # What the report adds besides the cases: each filler once at most, so an unused one is known by its words.
        fillers = rng.sample(FILLERS, len(FILLERS))
        paragraphs = []
        for plan in plans:
            if fillers and rng.random() < 0.5:
                text, kind, summary = fillers.pop()
                plan.sentences.append(_Sentence(text, unused="" if kind else summary))
                if kind:
                    plan.statements.append((len(plan.sentences) - 1, kind, summary))
            paragraphs.append(plan.sentences)
        latest = max((dates.parse(p.record["date"]).latest for p in plans if p.record["date"]), default=None)
        published = self.published_after(latest) if latest else dates.parse(self.rng.choice(self.days)[1])
        for plan in plans:
            if plan.describe:
                plan.record["date"] = published.edtf
                plan.record["title"], plan.record["summary"] = plan.describe(published)
        headline = f"Synthetic report {number}: {plans[0].record['title']}"
        # The text: the headline, then one paragraph per case; every sentence but the headline and
        # the unused fillers is a quote.
        parts, offset, quotes = [headline, "\n\n"], len(headline) + 2, []
        for sentences in paragraphs:
            for i, sentence in enumerate(sentences):
                if i:
                    parts.append(" ")
                    offset += 1
                parts.append(sentence.text)
                if sentence.unused:
                    offset += len(sentence.text)
                    continue
                n = len(quotes) + 1
                sentence.key = f"{slug}#{n}"
                quote = {"n": n, "exact": sentence.text, "start": offset, "end": offset + len(sentence.text)}
                if sentence.speaker:
                    quote["speaker"] = sentence.speaker.slug
                    quote["attribution"] = sentence.attribution
                quotes.append(quote)
                offset += len(sentence.text)
            parts.append("\n\n")
            offset += 2
        text = "".join(parts)
        record = {
            "slug": slug,
            "title": headline,
            "publisher": SYNTHETIC_PUBLISHER,
            "language": "en",
            "published": published.edtf,
            "retrieved": TODAY.isoformat(),
            "text_file": f"sources/{slug}.txt",
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "notes": "Synthetic text for benchmarks: not a real report.",
            "modified": TODAY.isoformat(),
            "quotes": quotes,
            "unused": [{"sentence": headline, "reason": HEADLINE_REASON}]
            + [{"sentence": s.text, "reason": s.unused} for sentences in paragraphs for s in sentences if s.unused],
        }
        author = rng.choice(["", "", "Staff reporter", "A correspondent"])
        if author:
            record["author"] = author
        if machine_translated:
            record["original_language"] = rng.choice(["zh-Hans", "kk", "ru"])
            record["is_machine_translation"] = True
            record["translation_note"] = "A machine translation, with names garbled in places."
        self.texts[record["text_file"]] = text
        self.fixture["sources"].append(record)
        for plan in plans:
            self.finish_case(plan, slug)

    def finish_case(self, plan, source):
        """The case's record with its quotes' keys, and what it adds to people, relations and statements."""
        record, sentences = plan.record, plan.sentences
        involvements = {}
        for person, role, at, said, garbled in plan.people:
            key = sentences[at].key
            involvement = involvements.setdefault(
                (person.slug, role), {"person": person.slug, "role": role, "quotes": []}
            )
            if key not in involvement["quotes"]:
                involvement["quotes"].append(key)
            if said != person.name and (said, key) not in person.spelled:
                person.spelled.add((said, key))
                name = {"name": said, "kind": "source", "quote": key}
                if garbled:
                    name["note"] = "machine translation's rendering"
                person.record["names"].append(name)
        record["people"] = list(involvements.values())
        record["citations"] = {name: [sentences[i].key for i in indexes] for name, indexes in plan.citations.items()}
        if plan.describe:
            record["bases"] = {
                "date": {
                    "basis": "derived",
                    "rule": "The report calls the day “today”: the date is the report's own.",
                    "inputs": [{"quote": sentences[0].key, "words": "Today"}, {"published": source}],
                }
            }
        self.fixture["cases"].append(record)
        if plan.relation:
            person, relation, relative, at = plan.relation
            self.fixture["relations"].append(
                {"person": person.slug, "relation": relation, "relative": relative.slug, "quote": sentences[at].key}
            )
        for at, kind, summary in plan.statements:
            self.fixture["statements"].append({"quote": sentences[at].key, "kind": kind, "summary": summary})

    def make_retired(self):
        """A few refs once published and since retired: merged into another case (301) or withdrawn (410).

        The refs are drawn first, so that a larger archive of the same seed retires the same ones.
        """
        rng, cases = self.retired_rng, self.fixture["cases"]
        refs = [self.new_ref(rng) for _ in range(max(2, self.total_cases // 200))]
        for i, ref in enumerate(refs):
            if i % 2 == 0:
                successor = rng.choice(cases)
                self.fixture["retired"].append({"ref": ref, "status": "replaced", "title": successor["title"],
                                                "reason": "Merged with a duplicate record of the same event.",
                                                "replaced_by": successor["ref"], "retired": TODAY.isoformat()})  # fmt: skip
            else:
                self.fixture["retired"].append({"ref": ref, "status": "withdrawn", "title": "A withdrawn synthetic record",
                                                "reason": "The source was found to describe a different event.",
                                                "retired": TODAY.isoformat()})  # fmt: skip


def _when(date):
    """How a report's sentence opens with a date: "On 1 February 2021", "In 2018", "About 2018"."""
    if date.display.startswith(("about", "between", "from")):
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="how many cases (default: %(default)s)")
    parser.add_argument("--people", type=int, default=None, help="how many people (default: a fifth of --cases)")
    parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same files (default: 1)")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write archive.json and sources/ into")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be 1 or more")
    if args.people is not None and args.people < 2:
        parser.error("--people must be 2 or more")
    path = write_fixture(args.out, cases=args.cases, seed=args.seed, people=args.people)
    print(f"wrote {path} ({args.cases} cases, seed {args.seed})")


if __name__ == "__main__":
    main()
