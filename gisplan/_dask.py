# mypy: disallow-untyped-calls=False
# (distributed ships no annotations for Client, LocalCluster, scatter, as_completed)
"""Run partitions on ``dask.distributed``: a new ``LocalCluster`` or a running scheduler.

Kept apart from :mod:`gisplan.partitioned` so that dask is imported only when the Dask engine runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

TaskT = TypeVar("TaskT")
SharedT = TypeVar("SharedT")
Finished = Callable[[TaskT, "dict[str, Any] | None", "BaseException | None"], None]


def run_on_dask(
    work: Callable[[TaskT, SharedT], dict[str, Any]],
    tasks: Sequence[TaskT],
    shared: SharedT,
    options: Any,
    finished: Callable[[TaskT, dict[str, Any] | None, BaseException | None], None],
) -> None:
    """Run ``work(task, shared)`` for every task; call ``finished`` in this process as each one ends.

    ``shared`` (profile and context layers) is scattered once to every worker
    (``Client.scatter(..., broadcast=True)``) and each task gets a reference to
    it, so the layers cross the network once per worker, not once per task.
    ``options`` is a :class:`gisplan.partitioned.PartitionOptions` (``scheduler``,
    ``workers``, ``processes``). A task whose worker dies is rerun by Dask on
    another worker; a task that raises is reported through ``finished`` and the
    others go on.
    """
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if options.scheduler:
        client = Client(options.scheduler)
    else:
        cluster = LocalCluster(
            n_workers=options.workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=options.processes,
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        [shared_ref] = client.scatter([shared], broadcast=True, hash=False)
        run = os.urandom(4).hex()  # fresh keys: a rerun on the same scheduler never reuses an old result
        futures = {
            client.submit(work, task, shared_ref, pure=False, key=f"gisplan-partition-{i:05d}-{run}"): task
            for i, task in enumerate(tasks)
        }
        for future in as_completed(futures):
            task = futures[future]
            try:
                stats = future.result()
            except Exception as exc:  # the caller reports it for this partition and goes on
                finished(task, None, exc)
            else:
                finished(task, stats, None)
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


__all__ = ["run_on_dask"]
