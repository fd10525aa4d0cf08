"""The sender: a bounded queue and one thread that delivers to every channel, with a timeout
per attempt and retries with backoff (tenacity). ``submit`` never waits: when the queue is
full the alert is dropped (and recorded so), so a receiver that is down or slow never delays
the collector or prediction job that raised the alert. Each outcome, per channel, lands in
``alerts_history``; ``status`` counts them."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from finbot.alerts.channels import DeliveryFailed, deliver
from finbot.alerts.history import AlertLog, AlertStatus, Delivery
from finbot.alerts.messages import Alert
from finbot.config import AlertSettings, mask_url
from finbot.i18n import N_, Message, failure_line

log = logging.getLogger("finbot.alerts")
_STOP = None  # the sentinel that ends the sender thread


@dataclass(frozen=True)
class Outgoing:
    """An alert rendered for sending, with the time it was raised."""

    alert: Alert
    title: str
    body: str
    ts_ms: int


class AlertDispatcher:
    """Delivers rendered alerts to ``urls`` from its own thread (started on first submit)."""

    def __init__(self, urls: Sequence[str], settings: AlertSettings, history: AlertLog) -> None:
        self.urls = tuple(urls)
        self.delivery = settings.delivery
        self.history = history
        self._queue: queue.Queue[Outgoing | None] = queue.Queue(self.delivery.queue_size)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, item: Outgoing) -> bool:
        """Queue ``item`` without waiting; False (recorded as dropped) when the queue is full."""
        self._ensure_thread()
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            log.warning(
                "%s",
                Message(N_("alert {key} dropped: the alert queue is full"), key=item.alert.key),
            )
            for url in self.urls or ("-",):
                self._record(item, url, AlertStatus.DROPPED, 0, "alert queue full")
            return False

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping.clear()
                self._thread = threading.Thread(target=self._run, name="finbot-alerts", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is _STOP:
                    return
                for url in self.urls:
                    self._send(item, url)
            except Exception:  # boundary: the sender thread must outlive one bad alert
                log.exception("%s", Message(N_("alert sender failed")))
            finally:
                self._queue.task_done()

    def _send(self, item: Outgoing, url: str) -> None:
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

        retrying = Retrying(
            stop=stop_after_attempt(self.delivery.max_attempts),
            wait=wait_exponential(multiplier=self.delivery.backoff_sec, max=60),
            retry=retry_if_exception_type(DeliveryFailed),
            sleep=self._pause,
            reraise=True,
        )
        attempts = 0
        try:
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    deliver(url, item.title, item.body, timeout_s=self.delivery.timeout_sec)
        except DeliveryFailed as exc:
            line = Message(
                N_("alert {key} to {url} failed: {error}"),
                key=item.alert.key,
                url=mask_url(url),
                error=failure_line(exc),
            )
            log.warning("%s", line)
            self._record(item, url, AlertStatus.FAILED, attempts, str(exc))
            return
        self._record(item, url, AlertStatus.SENT, attempts, None)

    def _pause(self, seconds: float) -> None:
        """A backoff wait that a ``close`` cuts short."""
        self._stopping.wait(seconds)

    def _record(
        self, item: Outgoing, url: str, status: AlertStatus, attempts: int, error: str | None
    ) -> None:
        channel = mask_url(url) if url != "-" else "-"
        delivery = Delivery(
            item.ts_ms, item.alert.kind.value, item.alert.key, channel, status, attempts,
            item.title, item.body, error,
        )  # fmt: skip
        try:
            self.history.record(delivery)
        except Exception:  # boundary: a database hiccup must not kill the sender
            log.exception("%s", Message(N_("could not record alert {key}"), key=item.alert.key))

    def flush(self, timeout_s: float) -> bool:
        """Wait until every queued alert is delivered or failed; False when time ran out."""
        deadline = time.monotonic() + timeout_s
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._queue.all_tasks_done.wait(left)
        return True

    def close(self, timeout_s: float = 5.0) -> None:
        """Deliver what is queued within ``timeout_s``; what is still waiting then is dropped
        (and recorded so), and the thread stops (a send in flight ends at its own timeout;
        the thread is a daemon)."""
        if self._thread is None:
            return
        if not self.flush(timeout_s):
            self._drop_waiting()
        self._stopping.set()
        try:
            self._queue.put(_STOP, timeout=1)  # full only if someone still submits
        except queue.Full:
            return
        self._thread.join(timeout=1)

    def _drop_waiting(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            try:
                if item is not _STOP:
                    for url in self.urls or ("-",):
                        self._record(item, url, AlertStatus.DROPPED, 0, "not sent before stop")
            finally:
                self._queue.task_done()
