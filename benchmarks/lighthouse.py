"""Lighthouse's mobile performance score of every page, against a bare Material page.

The bar (issue 10): every page scores within 5 points of a bare Material page (one page of
plain paragraphs, Material's defaults, no Google Fonts) measured in the same run. Scores move
by several points between runs on a busy machine, so the pages are measured in rounds (each
round measures the bare page, then every page once), and each page is judged by its median
against the bare page's median.

    make lighthouse                                  # 3 rounds, every page of the nav
    make lighthouse ARGS="--rounds 5 --pages training positions-matter"

Both sites are built into .cache/lighthouse and served with gzip from one local server, as
GitHub Pages serves them. Lighthouse runs with its defaults for mobile (simulated slow 4G and
a 4x slower CPU) in Chromium (CHROMIUM_PATH, or chromium on PATH). Exit status 1 if a page's
median is under the bar. Lighthouse is not part of `make test`: a score is a measurement of
this machine at this moment, not a property of the pages.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from mkdocs.config import load_config
from site_serving import nav_paths, serving  # beside this file

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".cache" / "lighthouse"
LIGHTHOUSE = ROOT / "benchmarks" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
MARGIN = 5
BARE = "(bare Material)"
Results = dict[str, list[dict[str, float]]]  # page -> one measurement per round
PARAGRAPH = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
    "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat."
)
BARE_PAGE = "# A bare page\n\n" + f"{PARAGRAPH}\n\n" * 5


def build() -> None:
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    subprocess.run([*mkdocs, "--site-dir", str(OUT / "site")], cwd=ROOT, check=True)
    bare = OUT / "bare-src"
    (bare / "docs").mkdir(parents=True, exist_ok=True)
    (bare / "docs" / "index.md").write_text(BARE_PAGE)
    (bare / "mkdocs.yml").write_text("site_name: Bare\ntheme:\n  name: material\n  font: false\n")
    subprocess.run([*mkdocs, "--site-dir", str(OUT / "bare")], cwd=bare, check=True)


def measure(url: str, chromium: str) -> dict[str, float]:
    run = subprocess.run(
        [str(LIGHTHOUSE), url, "--only-categories=performance", "--form-factor=mobile",
         "--output=json", "--output-path=stdout", "--quiet",
         "--chrome-flags=--headless=new --no-sandbox"],
        env={**os.environ, "CHROME_PATH": chromium}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    report = json.loads(run.stdout)
    audits = report["audits"]
    return {
        "score": round(report["categories"]["performance"]["score"] * 100),
        "fcp": audits["first-contentful-paint"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each page")
    parser.add_argument("--pages", nargs="*", help="URL paths, e.g. training (default: the nav)")
    parser.add_argument("--no-build", action="store_true", help="measure the last build")
    args = parser.parse_args()
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "chromium"
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} not found: run `make lighthouse`, which installs it with npm")
    if not args.no_build:
        build()
    named = [p.strip("/") for p in args.pages or []]
    pages = [p + "/" if p not in ("", "home", "index") else "" for p in named] or nav_paths(
        load_config(str(ROOT / "mkdocs.yml"))["nav"]
    )
    with serving(OUT) as base:
        urls = {BARE: f"{base}/bare/", **{p or "home": f"{base}/site/{p}" for p in pages}}
        results: Results = {name: [] for name in urls}
        for r in range(args.rounds):
            for name, url in urls.items():
                results[name].append(measure(url, chromium))
                score = results[name][-1]["score"]
                print(f"round {r + 1}/{args.rounds} {name}: {score}", flush=True)

    print(report(results))
    return 1 if under_the_bar(results) else 0


def _median(results: Results, name: str, key: str) -> float:
    return statistics.median(m[key] for m in results[name])


def under_the_bar(results: Results) -> list[str]:
    """The pages whose median score is more than MARGIN under the bare page's median.

    ``under_the_bar({BARE: [{"score": 99}], "a/": [{"score": 94}], "b/": [{"score": 95}]})``
    is ``["a/"]``.
    """
    bar = _median(results, BARE, "score") - MARGIN
    return [n for n in results if n != BARE and _median(results, n, "score") < bar]


def report(results: Results) -> str:
    """The table: each page's median score, every round's, and the medians of the metrics."""
    lines = [
        f"\nbar: the bare page's median score - {MARGIN} = "
        f"{_median(results, BARE, 'score') - MARGIN:.0f}\n",
        f"{'page':24} {'median':>6}  {'rounds':14} {'FCP ms':>7} {'LCP ms':>7} {'TBT ms':>7} CLS",
    ]
    for name, ms in results.items():
        med = functools.partial(_median, results, name)
        rounds = ",".join(str(m["score"]) for m in ms)
        lines.append(
            f"{name:24} {med('score'):6.0f}  {rounds:14} {med('fcp'):7.0f} "
            f"{med('lcp'):7.0f} {med('tbt'):7.0f} {med('cls'):.3f}"
        )
    under = under_the_bar(results)
    lines.append(
        f"\nunder the bar: {', '.join(under)}" if under else "\nevery page is within the bar"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
