"""``make cluster``: the cluster of issue 20 in network namespaces, its three faults, and
proof that nothing was left behind. Needs root (``ip netns``); prints one JSON line per
fault, and exits 1 if a fault lost or duplicated anything, or if anything was left.

The hosts share this machine's two cores: the run shows correctness and failover, not
speed-up, and its times are those of a loaded machine (docs/scaling.md).

Run: ``make cluster`` (``--short`` is the form CI runs through tests/cluster/).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from syndicate.models.demo import install_demo_models

import faults
import netns
from faults import Report
from rig import processes_left, start_cluster

PAIRS = ("en-ar", "en-tr", "en-ckb", "en-kmr")
MODELS = Path(__file__).resolve().parents[2] / "var" / "cluster-models"


def run(work: Path, models_dir: Path, short: bool, say: object = print) -> list[Report]:
    """Start the cluster in ``work``, run the faults (fewer articles when ``short``), stop
    it; the reports. Leftovers of killed earlier runs are removed first."""
    netns.sweep()
    cluster = start_cluster(work, models_dir)
    marker, tag, found = cluster.marker, cluster.net.tag, list[Report]()
    try:
        found.append(faults.kill_the_master(cluster, 6 if short else 16, 2 if short else 5))
        _say(say, found[-1])
        found.append(faults.kill_an_api(cluster, 6.0 if short else 12.0))
        _say(say, found[-1])
        found.append(faults.partition_worker(cluster, 60 if short else 120))
        _say(say, found[-1])
    finally:
        cluster.close()
    left = [*netns.leftovers(tag), *processes_left(work, marker)]
    if left:
        raise AssertionError(f"the cluster left behind: {left}")
    return found


def _say(say: object, report: Report) -> None:
    if callable(say):
        say(report.line())


def ensure_models(directory: Path) -> Path:
    """The tiny gloss models for the four pairs (built once, into var/; kept after)."""
    install_demo_models(directory, preset="tiny", pairs=PAIRS)
    return directory


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--short", action="store_true", help="fewer articles (the CI form)")
    p.add_argument("--keep", type=Path, help="run in this directory and keep its logs")
    args = p.parse_args()
    reason = netns.unavailable_reason()
    if reason is not None:
        print(f"make cluster: cannot make network namespaces here: {reason}", file=sys.stderr)
        return 2
    models = ensure_models(MODELS)
    if args.keep is not None:
        found = run(args.keep.resolve(), models, args.short)
    else:
        with tempfile.TemporaryDirectory(prefix="syndicate-cluster-") as tmp:
            found = run(Path(tmp), models, args.short)
    holds = all(r.holds for r in found)  # run() raised if anything was left behind
    print(json.dumps({"faults": len(found), "all_hold": holds, "left_behind": []}))
    return 0 if holds else 1


if __name__ == "__main__":
    sys.exit(main())
