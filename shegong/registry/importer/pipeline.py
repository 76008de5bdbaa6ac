"""Writing import batches in the background (PostgreSQL): the database digests one batch
(index maintenance) while Python plans the next."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import F

from ..models import ImportBatch
from .writers import Plan


class BackgroundWriter:
    """Writes plans on `WRITER_THREADS` threads, each with its own database connection and
    one transaction per plan. Plans in flight never share a household (the importer waits
    when the next plan would), so they cannot conflict; each adds its own counts to the
    batch row, so the order in which they commit does not matter."""

    def __init__(self, batch_pk: Any, threads: int, write: Callable[[Plan], int]):
        self.batch_pk = batch_pk
        self.write = write
        self.jobs: queue.Queue[Any] = queue.Queue(maxsize=threads)
        self.error: BaseException | None = None
        self.lock = threading.Lock()
        self.in_flight: dict[int, set[int]] = {}
        self.serial = 0
        self.left_behind = 0  # suggestions set, summed over the plans written
        self.threads = [
            threading.Thread(target=self._run, name=f"registry-import-writer-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        try:
            while True:
                job = self.jobs.get()
                try:
                    if job is None:
                        return
                    serial, plan, delta = job
                    suggested = 0
                    if self.error is None:
                        with transaction.atomic():
                            suggested = self.write(plan)
                            ImportBatch.objects.filter(pk=self.batch_pk).update(
                                **{k: F(k) + v for k, v in delta.items()}
                            )
                    with self.lock:
                        self.in_flight.pop(serial, None)
                        self.left_behind += suggested
                except BaseException as exc:  # handed to the importing thread
                    self.error = exc
                finally:
                    self.jobs.task_done()
        finally:
            connection.close()

    def raise_if_failed(self) -> None:
        if self.error is not None:
            raise self.error

    def overlaps(self, touched: set[int]) -> bool:
        with self.lock:
            return any(touched & other for other in self.in_flight.values())

    def submit(self, plan: Plan, touched: set[int], delta: dict[str, int]) -> None:
        self.raise_if_failed()
        self.serial += 1
        with self.lock:
            self.in_flight[self.serial] = touched
        self.jobs.put((self.serial, plan, delta))

    def wait(self) -> None:
        self.jobs.join()
        self.raise_if_failed()

    def close(self) -> None:
        for _thread in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()
