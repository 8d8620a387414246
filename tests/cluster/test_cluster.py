"""`make cluster`'s short form (issue 20): the hosts in network namespaces, the Redis master
killed -9 while articles are posted and translated, api-1 killed -9 under poll load,
worker-k cut off mid-translation until its message is handed back; nothing lost, nothing
published twice, partners on api-2 see no error, and nothing left behind (namespaces,
links, processes: ``run`` checks, and raises)."""

from __future__ import annotations

from pathlib import Path

import pytest

import netns
from cluster import run


def test_faults_lose_nothing_publish_nothing_twice_and_leave_nothing(
    tmp_path: Path, demo_models_dir: Path
) -> None:
    reason = netns.unavailable_reason()
    if reason is not None:
        pytest.skip(f"network namespaces cannot be made here: {reason}")
    reports = run(tmp_path / "cluster", demo_models_dir, short=True, say=None)
    assert [r.fault for r in reports] == [
        "kill -9 the Redis master",
        "kill -9 api-1 under poll load",
        "worker-k partitioned mid-translation",
    ]
    failover, api, partition = reports
    assert failover.accepted == 6 and failover.published == 6 and failover.duplicated == 0
    assert api.errors == 0 and api.notes["api2_polls"] > 0
    assert api.notes["api1_errors_after_kill"] > 0  # the kill did hit api-1's partners
    assert partition.published == 1 and partition.duplicated == 0
    assert set(partition.notes["item_writes"].values()) == {1}
