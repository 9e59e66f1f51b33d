"""The case list as a table (``/cases/?view=table``): the facts a researcher compares, a row a case.

Each value comes with its basis (``Basis``: stated, derived or editorial),
linking to the fact's row on the case page, where the basis is spelled out. A
value the source does not give is "not stated" and has no basis; a column
that does not apply to the kind of case (a protest's sentence) is empty.
Three queries for a page of rows, however many rows: the cases with their
place and details, their people, their facts' bases.
"""

from django.db.models import Prefetch

from .models import Basis, Case, Detention, Fact, Involvement, Protest

# The table's columns: (sort value, heading). The sort values are filters.Sort's.
COLUMNS = (
    ("ref", "Ref"),
    ("kind", "Kind"),
    ("date", "Date"),
    ("place", "Place"),
    ("people", "People and roles"),
    ("status", "Status"),
    ("sentence", "Sentence or duration"),
    ("authority", "Authority or outcome"),
)
MARKS = {Basis.STATED: "S", Basis.DERIVED: "D", Basis.EDITORIAL: "E"}
FACT_FIELDS = ("date", "place", "status", "sentence", "duration", "authority", "outcome")


def table_rows(refs):
    """The table's rows for the cases ``refs``, in that order."""
    people = Involvement.objects.select_related("person").only("case", "role", "person__slug", "person__name")
    bases = Fact.objects.filter(field__in=FACT_FIELDS).only("case", "field", "basis")
    cases = (
        Case.objects.filter(ref__in=refs)
        .select_related("place", "detention", "protest")
        .prefetch_related(Prefetch("involvements", queryset=people), Prefetch("facts", queryset=bases))
    )
    by_ref = {case.ref: case for case in cases}
    return [table_row(by_ref[ref]) for ref in refs if ref in by_ref]


def table_row(case):
    url = case.get_absolute_url()
    bases = {fact.field: fact.basis for fact in case.facts.all()}

    def value(field, text, label=""):
        """A cell's value: its text (empty when not stated), its basis and the link to its fact."""
        if not text:
            return {"text": "", "label": label}
        basis = bases.get(field, Basis.STATED)
        return {
            "text": text,
            "label": label,
            "basis": basis,
            "basis_label": Basis(basis).label,
            "mark": MARKS[basis],
            "href": f"{url}#fact-{field}",
        }

    row = {
        "ref": case.ref,
        "title": case.title,
        "href": url,
        "kind": case.kind,
        "kind_label": case.get_kind_display(),
        "date": value("date", case.date_display),
        "place": value("place", case.place.full_name),
        "people": [
            {
                "name": involvement.person.name,
                "person_href": involvement.person.get_absolute_url(),
                "role": involvement.get_role_display(),
                **value(f"person-{involvement.pk}", involvement.person.name),
            }
            for involvement in case.involvements.all()
        ],
        "status": None,
        "sentence": None,
    }
    if case.kind == Case.Kind.DETENTION:
        detention = case.detention
        status = "" if detention.status == Detention.Status.NOT_STATED else detention.get_status_display()
        row["status"] = value("status", status)
        if detention.sentence:
            row["sentence"] = value("sentence", detention.sentence, "sentence")
        else:
            row["sentence"] = value("duration", detention.duration, "duration" if detention.duration else "")
        row["authority"] = value("authority", detention.authority, "authority")
    else:
        outcome = case.protest.outcome
        shown = "" if outcome == Protest.Outcome.NOT_STATED else case.protest.get_outcome_display()
        row["authority"] = value("outcome", shown, "outcome")
    return row
