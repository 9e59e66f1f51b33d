"""How long work reports its stages: a progress bar each on a terminal, one summary line each elsewhere.

On a terminal a stage shows how far it has come, its rate and the time left
(tqdm). Where the output is not a terminal (CI, cron, a log file) a stage
prints nothing while it runs and one line when it ends, so a log holds no
redrawn bars.
"""

import time
from contextlib import contextmanager

from tqdm import tqdm


class Progress:
    """Reports on ``stream``: with bars when it is a terminal."""

    def __init__(self, stream):
        self.stream = stream
        self.terminal = stream.isatty()

    @contextmanager
    def stage(self, description, total, unit="records"):
        """Yields ``advance(n=1)``, to be called as the stage's work is done."""
        if self.terminal:
            with tqdm(total=total, desc=description, unit=f" {unit}", file=self.stream, dynamic_ncols=True) as bar:
                yield bar.update
            return
        done, started = 0, time.monotonic()

        def advance(n=1):
            nonlocal done
            done += n

        yield advance
        self.stream.write(f"{description}: {done:,} {unit} in {time.monotonic() - started:.1f} s\n")
        self.stream.flush()


class Silent:
    """The progress of work nobody watches: what the loader reports when it is called from code."""

    @contextmanager
    def stage(self, description, total, unit="records"):
        yield lambda n=1: None


SILENT = Silent()
