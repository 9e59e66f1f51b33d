from django.db import migrations, models


def record_latest_summary(apps, schema_editor):
    """Give the latest load its facet counts, so an archive loaded before this field has them at once."""
    from cases.facets import archive_summary

    DataLoad = apps.get_model("cases", "DataLoad")
    latest = DataLoad.objects.order_by("-loaded_at", "-pk").first()
    if latest is not None:
        latest.facets = archive_summary(case_model=apps.get_model("cases", "Case"))
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
