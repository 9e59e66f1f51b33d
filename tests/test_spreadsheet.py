"""The CSV survives a spreadsheet: opened in LibreOffice Calc with every kind of number and date detection on,
then saved again as CSV, every cell of every row is as the archive wrote it.

LibreOffice is a real client of the CSV, as researchers use it; the test needs its ``soffice``
(Debian's libreoffice-calc-nogui, which ``.ci/run`` installs) and fails, never skips, without it.
"""

import csv
import io
import shutil
import subprocess

import pytest

SOFFICE = shutil.which("soffice")
# LibreOffice's CSV filter options: comma, double quote, UTF-8, from line 1, no column types,
# the locale, quoted fields not forced to text, "detect special numbers" (dates among them) on.
LOCALES = {"en-US": 1033, "en-GB": 2057, "de-DE": 1031, "ru-RU": 1049}


def _resaved(tmp_path, text, locale):
    assert SOFFICE, "LibreOffice's soffice is needed (apt-get install libreoffice-calc-nogui)"
    source = tmp_path / "cases.csv"
    source.write_text(text, encoding="utf-8", newline="")
    out = tmp_path / "out"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         f"--infilter=CSV:44,34,76,1,,{LOCALES[locale]},false,true",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return (out / "cases.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("locale", LOCALES)
def test_every_cell_of_the_csv_is_the_same_after_a_spreadsheet_saves_it_again(client, article, tmp_path, locale):
    written = b"".join(client.get("/cases.csv").streaming_content).decode("utf-8-sig")
    resaved = _resaved(tmp_path, written, locale)
    before = list(csv.reader(io.StringIO(written)))
    after = list(csv.reader(io.StringIO(resaved)))
    assert len(after) == len(before)
    for row_before, row_after in zip(before, after, strict=True):
        for name, cell_before, cell_after in zip(before[0], row_before, row_after, strict=True):
            assert cell_after == cell_before, f"{row_before[0]}.{name}: {cell_before!r} became {cell_after!r}"
