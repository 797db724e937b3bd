"""An optional mode that sends tasks to a dask.distributed cluster.

dask is not a dependency of the app: ``pip install distributed`` (or the
project's ``dask`` extra) makes this mode available.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Optional

from .modes import ExecutorMode

log = logging.getLogger(__name__)

# The local cluster's size: as many single-threaded worker processes as this.
LOCAL_WORKERS = 2

# How long to try to reach a remote scheduler before giving up with a message.
CONNECT_TIMEOUT_S = 5


class DaskUnavailable(RuntimeError):
    """dask.distributed is not installed, or the cluster cannot be reached."""


def dask_mode(address: str, name: str = "dask", local_workers: int = LOCAL_WORKERS) -> ExecutorMode:
    """A mode on the cluster at ``address`` (e.g. ``tcp://10.0.0.5:8786``), or on a new
    local one if ``address`` is ``"local"``. Closing the backend closes the client
    and the local cluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise DaskUnavailable(
            f"dask.distributed is not installed for {sys.executable}: run '{sys.executable} -m pip install distributed'"
        ) from error
    cluster: Optional[Any] = None
    try:
        if address == "local":
            cluster = LocalCluster(
                n_workers=local_workers,
                threads_per_worker=1,  # pure-Python tasks: one per process, as in process mode
                processes=True,
                # Its HTTP endpoint (no dashboard) on a free loopback port: with
                # None, distributed still takes 8787, and fails when that is taken.
                dashboard_address="127.0.0.1:0",
            )
            client = Client(cluster)
            where = f"a local cluster of {local_workers} worker processes"
        else:
            client = Client(address, timeout=CONNECT_TIMEOUT_S)
            where = address
    except Exception as error:  # OSError, TimeoutError, ValueError for a bad address...
        if cluster is not None:
            cluster.close()
        why = str(error) or type(error).__name__  # some of distributed's errors say nothing
        raise DaskUnavailable(f"cannot reach a dask cluster at {address}: {why}") from error

    def close() -> None:
        client.close()
        if cluster is not None:
            cluster.close()

    log.info("dask mode: %s", where)
    return ExecutorMode(name, client.get_executor(), description=f"dask.distributed on {where}", on_shutdown=close)
