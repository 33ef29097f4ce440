"""``make test``: the whole suite as two pytest processes side by side, one per core.

- ``--site=only``: the tests that need the built site, and a few that do not
  (tests/conftest.py's ``BESIDE_THE_BUILD``: the harness's, the figures' and the page
  notebooks' tests). That process starts ``mkdocs build --strict`` at once, runs those
  while it builds, then drives Chromium; its output is shown at the end.
- ``--site=none``: everything else (the package, the pages' blocks, the build steps),
  shown live.

Together they are exactly the tests a single ``pytest`` runs (each test is in one of
them: tests/conftest.py's ``_site_process``). The exit status is 0 only when both pass.
Arguments are passed to both, for example ``make test ARGS="-x"``. A plain ``pytest``
still runs everything in one process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile


def _nice() -> None:
    if hasattr(os, "nice"):  # not on Windows
        os.nice(10)


def main(args: list[str]) -> int:
    pytest = [sys.executable, "-m", "pytest"]
    with tempfile.TemporaryFile() as log:
        site = subprocess.Popen(
            [*pytest, "--site=only", *args], stdout=log, stderr=subprocess.STDOUT
        )
        try:
            # niced: the site's chain (build, then Chromium) is the longer one on a fresh
            # clone, and these tests wait on nothing
            rest = subprocess.call([*pytest, "--site=none", *args], preexec_fn=_nice)
            site_rc = site.wait()
        finally:
            if site.poll() is None:
                site.terminate()
        sys.stdout.flush()
        print("\n---- the tests of the built site (pytest --site=only) ----", flush=True)
        log.seek(0)
        sys.stdout.buffer.write(log.read())
        sys.stdout.flush()
    if rest == 0 and site_rc == 0:
        return 0
    return rest or site_rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
