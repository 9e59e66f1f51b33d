"""One case as data: the whole record, its citations, and each quote as a W3C Web Annotation target.

A quote is located in its source's archived text (served at
``/sources/<slug>.txt``, whose SHA-256 is given) by a ``TextQuoteSelector``
(the exact words with a little text either side) and a ``TextPositionSelector``
(half-open code-point offsets), as the Web Annotation Data Model defines them:
https://www.w3.org/TR/annotation-model/#selectors
"""

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from .models import Case, Citation, Detention, Fact, Involvement, Quote, RetiredRef, Source
from .quotes import context

# Characters of text kept before and after a quote in its TextQuoteSelector.
CONTEXT_WIDTH = 32


def case_for_data(ref):
    """The case with ``ref`` and everything its record shows, in a fixed number of queries, or None."""
    quotes = Quote.objects.select_related("speaker")
    return (
        Case.objects.filter(ref=ref)
        .select_related("place", "detention__arose_from__case", "protest")
        .prefetch_related(
            Prefetch(
                "involvements",
                queryset=Involvement.objects.select_related("person").prefetch_related(
                    Prefetch("quotes", queryset=quotes)
                ),
            ),
            Prefetch("citations", queryset=Citation.objects.select_related("quote__speaker").order_by("pk")),
            Prefetch("facts", queryset=Fact.objects.select_related("according_to")),
            Prefetch("protest__detentions", queryset=Detention.objects.select_related("case").order_by("case__ref")),
            Prefetch("former_refs", queryset=RetiredRef.objects.order_by("ref")),
        )
        .first()
    )


def retired(ref):
    """The RetiredRef for ``ref`` with its successor's ref, or None."""
    return RetiredRef.objects.select_related("replaced_by").filter(ref=ref).first()


def _key(quote, slugs):
    return f"{slugs[quote.source_id]}#{quote.number}"


def case_record(case, absolute):
    """The case as a JSON-ready dict; ``absolute(path)`` writes a path as a public address.

    Queries: the place's ancestors and the cited sources (one each).
    """
    involvements = list(case.involvements.all())
    citations = list(case.citations.all())
    quotes = {quote.pk: quote for quote in (c.quote for c in citations)}
    for involvement in involvements:
        quotes.update((quote.pk, quote) for quote in involvement.quotes.all())
    sources = {source.pk: source for source in Source.objects.filter(pk__in={q.source_id for q in quotes.values()})}
    slugs = {pk: source.slug for pk, source in sources.items()}
    ordered_quotes = sorted(quotes.values(), key=lambda q: (slugs[q.source_id], q.number))

    ancestry = case.place.ancestry()

    record = {
        "ref": case.ref,
        "permalink": absolute(case.get_absolute_url()),
        "data_url": absolute(reverse("case-json", args=[case.ref])),
        "kind": case.kind,
        "title": case.title,
        "summary": case.summary,
        "date": {
            "display": case.date_display,
            "edtf": case.date_edtf,
            "earliest": case.date_earliest.isoformat(),
            "latest": case.date_latest.isoformat(),
        },
        "place": {
            **_place(case.place, absolute),
            "path": [_place(place, absolute) for place in ancestry],
        },
        "people": [
            {
                "slug": involvement.person.slug,
                "name": involvement.person.name,
                "kind": involvement.person.kind,
                "permalink": absolute(involvement.person.get_absolute_url()),
                "role": involvement.role,
                "quotes": sorted((_key(q, slugs) for q in involvement.quotes.all()), key=_quote_order),
            }
            for involvement in involvements
        ],
        "detention": _detention(case, absolute) if case.kind == Case.Kind.DETENTION else None,
        "protest": _protest(case, absolute) if case.kind == Case.Kind.PROTEST else None,
        "facts": [_fact(fact, citations, slugs) for fact in case.facts.all()],
        "citations": [
            {
                "field": citation.field,
                "label": citation.get_field_display(),
                "quote": _key(citation.quote, slugs),
            }
            for citation in citations
        ],
        "quotes": [_quote(quote, sources[quote.source_id], absolute) for quote in ordered_quotes],
        "sources": [_source(source, absolute) for source in sorted(sources.values(), key=lambda s: s.slug)],
        "former_refs": [former.ref for former in case.former_refs.all()],
        "created": case.created.isoformat(),
        "modified": case.modified.isoformat(),
        "licence": settings.ARCHIVE_DATA_LICENCE,
        "licence_url": settings.ARCHIVE_DATA_LICENCE_URL,
        "rights": "The record is published under the licence above. Source texts and their quotes remain "
        "their publishers' copyright; the archive keeps them so that every quote can be checked.",
    }
    return record


def _fact(fact, citations, slugs):
    """A fact's basis: stated (its quotes, and whose word), derived (the rule and its inputs) or editorial."""
    person = fact.according_to
    return {
        "field": fact.field,
        "label": fact.get_field_display(),
        "basis": fact.basis,
        "basis_text": fact.description,
        "quotes": [_key(c.quote, slugs) for c in citations if c.field == fact.field],
        "according_to": None if person is None else {"slug": person.slug, "name": person.name},
        "attribution": fact.attribution,
        "rule": fact.rule,
        "inputs": fact.inputs,
        "reference": {"title": fact.reference_title, "url": fact.reference_url} if fact.basis == "editorial" else None,
    }


def _quote_order(key):
    slug, number = key.rsplit("#", 1)
    return slug, int(number)


def _place(place, absolute):
    return {
        "slug": place.slug,
        "name": place.name,
        "kind": place.kind,
        "permalink": absolute(place.get_absolute_url()),
        "latitude": None if place.latitude is None else float(place.latitude),
        "longitude": None if place.longitude is None else float(place.longitude),
    }


def _case_link(case, absolute):
    return {"ref": case.ref, "title": case.title, "permalink": absolute(case.get_absolute_url())}


def _detention(case, absolute):
    details = case.detention
    return {
        "authority": details.authority,
        "reason": details.reason,
        "sentence": details.sentence,
        "duration": details.duration,
        "release": details.release,
        "status": details.status,
        "arose_from": None if details.arose_from is None else _case_link(details.arose_from.case, absolute),
    }


def _protest(case, absolute):
    details = case.protest
    return {
        "form": details.form,
        "size": details.size,
        "target": details.target,
        "demands": details.demands,
        "slogans": details.slogans,
        "outcome": details.outcome,
        "detentions": [_case_link(detention.case, absolute) for detention in details.detentions.all()],
    }


def _quote(quote, source, absolute):
    prefix, suffix = context(source.text, quote.start, quote.end, CONTEXT_WIDTH)
    return {
        "key": f"{source.slug}#{quote.number}",
        "id": absolute(f"{source.get_absolute_url()}#{quote.anchor}"),
        "source": source.slug,
        "number": quote.number,
        "exact": quote.exact,
        "attribution": quote.attribution,
        "speaker": None
        if quote.speaker is None
        else {
            "slug": quote.speaker.slug,
            "name": quote.speaker.name,
            "permalink": absolute(quote.speaker.get_absolute_url()),
        },
        "target": {
            "type": "SpecificResource",
            "source": {
                "id": absolute(reverse("source-text", args=[source.slug])),
                "type": "Text",
                "format": "text/plain",
                "language": source.language,
                "sha256": source.sha256,
            },
            "selector": [
                {"type": "TextQuoteSelector", "exact": quote.exact, "prefix": prefix, "suffix": suffix},
                {"type": "TextPositionSelector", "start": quote.start, "end": quote.end},
            ],
        },
    }


def _source(source, absolute):
    return {
        "slug": source.slug,
        "title": source.title,
        "publisher": source.publisher,
        "author": source.author,
        "language": source.language,
        "original_language": source.original_language,
        "original_title": source.original_title,
        "url": source.url,
        "copy_url": source.copy_url,
        "copy_note": source.copy_note,
        "archived_url": source.archived_url,
        "permalink": absolute(source.get_absolute_url()),
        "text_url": absolute(reverse("source-text", args=[source.slug])),
        "sha256": source.sha256,
        "published": {"display": source.published_display, "edtf": source.published_edtf},
        "retrieved": None if source.retrieved is None else source.retrieved.isoformat(),
        "is_machine_translation": source.is_machine_translation,
        "translation_note": source.translation_note,
    }


def withdrawn_record(retired_ref):
    """What a withdrawn ref answers as data, with its 410."""
    return {
        "ref": retired_ref.ref,
        "status": retired_ref.status,
        "title": retired_ref.title,
        "reason": retired_ref.reason,
        "retired": retired_ref.retired.isoformat(),
    }
