"""Running batch tasks on a Dask distributed cluster (``--scheduler tcp://HOST:PORT``).

The same ``process_input`` runs on Dask workers; they write outputs straight into
OUT_DIR (which must be on a file system every worker sees) and return the result,
and the client alone writes the manifest, exactly as with local workers.

A Dask task cannot be killed from outside, so each one watches itself: the work runs
in a thread, and when it overruns its per-page budget the task returns a timeout
result naming its worker, which the client then restarts (the nanny brings up a
fresh process). A task that kills its worker outright comes back as ``KilledWorker``
once the scheduler has given up on it (``distributed.scheduler.allowed-failures``).
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from typing import Any, Sequence

from layout.batch import SETUP_LIMIT, ResultCallback, Task, _failure, process_input


def _worker_address() -> str | None:
    with contextlib.suppress(Exception):
        from distributed import get_worker

        return str(get_worker().address)
    return None


def watched_task(task: Task) -> dict[str, Any]:
    """``process_input`` with a per-page deadline enforced from inside the worker."""
    clock = {"pages": 1, "ready": 0, "started": time.monotonic()}
    box: dict[str, Any] = {}

    def report(kind: str, value: int) -> None:
        if kind == "pages":
            clock["pages"] = max(1, value)
        elif kind == "ready":
            clock.update(ready=1, started=time.monotonic())

    def work() -> None:
        box["result"] = process_input(task, report=report)

    thread = threading.Thread(target=work, name=f"pagestitch {task.key}", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.2)
        spent = time.monotonic() - clock["started"]
        limit = task.timeout * clock["pages"] if clock["ready"] else max(SETUP_LIMIT, task.timeout)
        if thread.is_alive() and spent > limit:
            reason = f"timed out after {spent:.0f} s (limit {task.timeout:g} s per page, {clock['pages']} page(s)); worker replaced"
            return _failure(reason, seconds=round(spent, 3), replace_worker=_worker_address())
    return box.get("result") or _failure("internal error: the worker thread ended without a result")


def _from_exception(exc: BaseException) -> dict[str, Any]:
    name = type(exc).__name__
    if name == "KilledWorker":  # its text is a paragraph of advice; the name says it all
        return _failure("worker process died (Dask KilledWorker) on 2 attempt(s); worker replaced", lost=True)
    return _failure(f"internal error: Dask: {name}: {exc}")


def run_on_dask(tasks: Sequence[Task], scheduler: str, on_result: ResultCallback) -> None:
    """Submit every task to the cluster at ``scheduler``; report results as they finish."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        from layout.batch import BatchError

        raise BatchError("--scheduler needs Dask: pip install 'pagestitch[dask]'") from None
    try:
        client = Client(scheduler, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        from layout.batch import BatchError

        raise BatchError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        _drain(client, tasks, on_result, as_completed)
    finally:
        client.close()


def _drain(client: Any, tasks: Sequence[Task], on_result: ResultCallback, as_completed: Any) -> None:
    """Submit all, collect as they finish; tasks lost with a dead worker run again alone.

    A worker death fails every task on that worker, the culprit and its bystanders
    alike. Run again one at a time on an otherwise idle cluster, only the culprit
    kills a worker a second time.
    """
    run_id = uuid.uuid4().hex[:8]
    index = {t.key: i for i, t in enumerate(tasks)}

    def submit(task: Task, attempt: int) -> Any:
        key = f"pagestitch-{run_id}-{index[task.key]}-{attempt}"
        return client.submit(watched_task, task, key=key, pure=False, retries=0)

    owner = {submit(t, 1): t for t in tasks}
    lost: list[Task] = []
    for future in as_completed(list(owner), loop=client.loop):
        task = owner.pop(future)
        result = _result_of(future)
        future.release()
        if result.pop("lost", False):
            lost.append(task)
        else:
            _finish(client, task, result, on_result)
    for task in lost:
        future = submit(task, 2)
        for _ in as_completed([future], loop=client.loop):
            pass
        result = _result_of(future)
        result.pop("lost", None)
        future.release()
        _finish(client, task, result, on_result)


def _finish(client: Any, task: Task, result: dict[str, Any], on_result: ResultCallback) -> None:
    on_result(task, result)
    if result.get("replace_worker"):
        # The hung thread still runs there; only a fresh process is clean.
        client.restart_workers([result["replace_worker"]], raise_for_error=False)


def _result_of(future: Any) -> dict[str, Any]:
    if future.status == "finished":
        return dict(future.result())
    try:
        exc = future.exception()
    except BaseException as cancelled:  # noqa: BLE001 - a cancelled future raises here
        exc = cancelled
    return _from_exception(exc)
