"""loadarchive shows a progress bar for each stage on a terminal, and one summary line per stage elsewhere."""

import fcntl
import io
import os
import re
import struct
import termios
import threading

from django.core.management import call_command

# The article's fixture: 1 source, 6 places, 6 people, 2 relations, 9 statements and 6 cases are
# 30 records.
STAGES = [
    ("records checked against the schema", "30 records"),
    ("records checked", "30 records"),
    ("records written", "30 records"),
]


def test_off_a_terminal_each_stage_prints_one_line_when_it_ends(db):
    out = io.StringIO()
    call_command("loadarchive", stdout=out)
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert len(lines) == len(STAGES) + 1 + 4  # the stages, what was loaded, and what changed of each kind
    for line, (stage, count) in zip(lines, STAGES, strict=False):
        assert re.fullmatch(rf"{stage}: {count} in \d+\.\d s", line), line
    assert lines[len(STAGES)].startswith("Loaded ")
    assert lines[-1] == "  sources: 1 added, 0 changed, 0 retired"


def test_check_reports_only_the_checking_stages(db):
    out = io.StringIO()
    call_command("loadarchive", "--check", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == [stage for stage, _ in STAGES[:2]]
    assert "OK (6 cases" in lines[2]
    assert lines[3] == "Sentences no record uses: 1"


def test_on_a_terminal_each_stage_shows_a_bar_with_its_rate(db):
    """A pseudo-terminal, 100 columns wide, stands for the curator's."""
    controller, terminal_fd = os.openpty()
    fcntl.ioctl(terminal_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    received = []

    def read():
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's side was closed
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    with os.fdopen(terminal_fd, "w", encoding="utf-8") as terminal:
        assert terminal.isatty()
        call_command("loadarchive", stdout=terminal)
    reader.join(30)
    os.close(controller)
    shown = b"".join(received).decode("utf-8")
    assert "\r" in shown  # redrawn in place
    for stage, count in STAGES:
        total = count.split()[0]
        unit = count.split()[1]
        assert re.search(rf"{stage}: 100%\|[^|]*\| {total}/{total} \[[0-9:]+<[0-9:]+, +[0-9.]+ {unit}/s\]", shown), (
            stage,
            shown,
        )
    assert "Loaded " in shown
