from collections import Counter

from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import ExtractYear, Substr
from django.db.models.functions.comparison import Cast


def _year(connection, field):
    # As cases.facets.Year: on SQLite the year is read from the stored ISO text.
    if connection.vendor == "sqlite":
        return Cast(Substr(field, 1, 4), models.IntegerField())
    return ExtractYear(field)


def record_latest_summary(apps, schema_editor):
    """Give the latest load its facet counts (as cases.facets.archive_summary writes them, version 1).

    So an archive loaded before this field has them at once, without loading again.
    Written out here, on the historical models, so later changes to the app cannot change
    what this migration does.
    """
    DataLoad = apps.get_model("cases", "DataLoad")
    Case = apps.get_model("cases", "Case")
    latest = DataLoad.objects.order_by("-loaded_at", "-pk").first()
    if latest is None:
        return
    connection = schema_editor.connection
    kinds = {kind: {"total": 0, "places": Counter(), "years": []} for kind in ("detention", "protest")}
    cases = Case.objects.order_by()
    spans = cases.values_list(
        "kind", _year(connection, "date_earliest"), _year(connection, "date_latest")
    ).annotate(n=Count("pk"))
    for kind, first, last, n in spans:
        kinds[kind]["total"] += n
        kinds[kind]["years"].append([first, last, n])
    for kind, path, n in cases.values_list("kind", "place__path").annotate(n=Count("pk")):
        kinds[kind]["places"][int(path.strip("/").split("/")[0])] += n
    for entry in kinds.values():
        entry["places"] = sorted([pk, n] for pk, n in entry["places"].items())
        entry["years"].sort()
    latest.facets = {"version": 1, "kinds": kinds}
    latest.save(update_fields=["facets"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_case_list_span_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataload",
            name="facets",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The unfiltered case list's facet counts (cases.facets.archive_summary).",
            ),
        ),
        migrations.RunPython(record_latest_summary, migrations.RunPython.noop),
    ]
