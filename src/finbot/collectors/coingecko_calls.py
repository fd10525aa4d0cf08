"""The call/attempt machinery of the CoinGecko client: one ``get`` retried with backoff and
jitter, 429 handling with key rotation, a blocking per-key limiter, request accounting and the
monthly cap. ``CoinGeckoClient`` (``coingecko.py``) adds the endpoints on top.

Attempt accounting (``retries.max_attempts``, tenacity's ``stop_after_attempt`` through
``collectors/retry.py``): every answer that fails transiently (5xx, 408, timeout, connection
error, truncated or malformed JSON, a 429 that has to be waited out) uses one attempt;
switching to another key after a 429 or a rejected key uses none, because the request itself
did not fail. Before the next attempt the client waits until a key is free again after a 429
(its reset), else backs off exponentially with jitter.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, Self, TypeVar, overload

import httpx
from tenacity import RetryCallState, RetryError, retry_if_exception_type

from finbot.clock import Clock, SystemClock, now_ms
from finbot.collectors import payloads
from finbot.collectors.coingecko_plan import client_rpm, resolve_base_url, resolve_plan, tls_context
from finbot.collectors.errors_parse import (
    HISTORY_LIMIT_CODE,
    KEY_REJECTED_CODES,
    http_detail,
    parse_error_body,
    rate_limit_wait,
)
from finbot.collectors.keys import KeyRing
from finbot.collectors.limiter import SlidingWindowLimiter
from finbot.collectors.retry import RandomSource, backoff_after, retry_policy, upcoming_wait
from finbot.config import CoinGeckoConfig
from finbot.errors import ApiError, DataError, HistoryLimit, QuotaExhausted, RateLimited
from finbot.i18n import N_, Message, Number, error_message, failure_line

# The client's logger, named as before the client was split in modules (log records keep it).
log = logging.getLogger("finbot.collectors.coingecko")

DEMO_HEADER = "x-cg-demo-api-key"
PRO_HEADER = "x-cg-pro-api-key"
MIN_COOLDOWN_SEC = 1.0
T = TypeVar("T")
#: Query parameters of a request.
Params = Mapping[str, str | int | float]
#: A decoded JSON answer before validation (what the cache stores): narrowed by ``payloads``.
Parse = Callable[[object], object]


def _waiting(wait: float, key_id: str) -> Message:
    """The line that says a rate limit is waited out."""
    return Message(
        N_("CoinGecko rate limit: waiting {s} s for key {key}"), s=Number(wait, 1), key=key_id
    )


class UsageRecorder(Protocol):
    def record(
        self, endpoint: str, status: int, latency_ms: float, key_id: str, ts_ms: int
    ) -> None: ...

    def month_total(self, now_ms: int) -> int: ...


@dataclass
class ClientStats:
    """What this client did: HTTP requests sent, attempts retried, key switches."""

    requests: int = 0
    retries: int = 0
    rotations: int = 0
    rate_limited: int = 0


class _Failure(Exception):
    """A failed attempt that may be retried: ``error`` is raised when the attempts run out;
    ``retry_after`` the seconds to wait before the next one (a 429: until a key is free;
    None: exponential backoff); ``rotate``: another key can take the request now, which uses
    no attempt."""

    def __init__(
        self,
        error: ApiError,
        retry_after: float | None = None,
        rotate: bool = False,
        wait_key: str = "",
    ):
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after
        self.rotate = rotate
        self.wait_key = wait_key  # the key free first, after ``retry_after``


@dataclass
class _Call:
    """One ``get``: what to send, and the key switches made so far (over all attempts)."""

    path: str
    params: Mapping[str, str | int | float] | None
    template: str
    parse: Callable[[object], object] | None
    rotations: int = 0


class CoinGeckoCalls:
    """The request loop of a synchronous CoinGecko client (see the module docstring)."""

    def __init__(
        self,
        config: CoinGeckoConfig,
        keys: tuple[str, ...] | list[str] = (),
        *,
        base_url: str | None = None,
        clock: Clock | None = None,
        usage: UsageRecorder | None = None,
        rng: RandomSource | None = None,
        transport: httpx.BaseTransport | None = None,
        limiter: SlidingWindowLimiter | None = None,
    ):
        self._config = config
        self._clock = clock or SystemClock()
        self._usage = usage
        self._ring = KeyRing(tuple(keys) if config.plan != "public" else ())
        self.plan = resolve_plan(config, not self._ring.keyless)
        self.base_url = resolve_base_url(config, self.plan, base_url)
        self.limiter = limiter or SlidingWindowLimiter(
            client_rpm(config, not self._ring.keyless), self._clock
        )
        self.stats = ClientStats()
        self.retrying = retry_policy(
            config.retries,
            retry=retry_if_exception_type(_Failure),
            sleep=self._clock.sleep,
            rng=rng,
            before_sleep=self._before_retry,
        )
        timeouts = config.timeouts_sec
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeouts.read, connect=timeouts.connect),
            transport=transport,
            headers={"accept": "application/json", "user-agent": "finbot/0.1"},
            verify=tls_context(),
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def key_ids(self) -> list[str]:
        return self._ring.ids()

    # ------------------------------------------------------------ the request loop
    @overload
    def get(
        self, path: str, params: Params | None = None, *, endpoint: str | None = None
    ) -> object: ...
    @overload
    def get(
        self,
        path: str,
        params: Params | None = None,
        *,
        endpoint: str | None = None,
        parse: Callable[[object], T],
    ) -> T: ...
    def get(
        self,
        path: str,
        params: Params | None = None,
        *,
        endpoint: str | None = None,
        parse: Callable[[object], T] | None = None,
    ) -> T | object:
        """GET ``path`` and return its JSON (through ``parse`` when given: a DataError from
        ``parse`` counts as a failed attempt, so a malformed answer is fetched again)."""
        call = _Call(path, params, endpoint or path, parse)
        try:
            return self.retrying(self._send, call)
        except RetryError as gave_up:
            failure = gave_up.last_attempt.exception()
            if isinstance(failure, _Failure):
                raise failure.error from None
            raise

    def backoff(self, failures: int) -> float:
        """Exponential backoff ``backoff_sec * 2^(n-1)``, +/- ``jitter``, capped: the wait of
        the retry policy after ``failures`` failed attempts."""
        return backoff_after(self.retrying, failures)

    def _send(self, call: _Call) -> object:
        """One attempt (raises _Failure when it failed transiently). A 429 or a rejected key
        that another key can take now moves the request to that key within the attempt."""
        while True:
            key_id = self._ready_key(call.template)
            outcome = self._attempt(call.path, call.params, call.template, key_id, call.parse)
            if not isinstance(outcome, _Failure):
                return outcome
            if outcome.rotate and call.rotations < 4 * max(1, len(self._ring)):
                call.rotations += 1
                self.stats.rotations += 1
                continue
            raise outcome

    def _before_retry(self, retry_state: RetryCallState) -> None:
        """tenacity's ``before_sleep``: count the retry and say what is waited for."""
        self.stats.retries += 1
        outcome = retry_state.outcome
        failure = outcome.exception() if outcome is not None else None
        wait = upcoming_wait(retry_state)
        if isinstance(failure, _Failure) and failure.retry_after is not None and wait > 0:
            log.info("%s", _waiting(wait, failure.wait_key))
        else:
            log.debug(
                "CoinGecko: attempt %d failed (%s); retrying in %.1f s",
                retry_state.attempt_number,
                failure,
                wait,
            )

    def _ready_key(self, template: str) -> str:
        """A key that may send now: waits out cool-downs and the limiter, checks the cap."""
        if len(self._ring) == 0:
            raise ApiError(
                N_("CoinGecko rejected every API key; check COINGECKO_API_KEYS"), status=401
            )
        key_id, wait = self._ring.pick(self._clock.now())
        if wait > self._config.retries.max_wait_sec:
            raise RateLimited(
                N_("CoinGecko {path}: every key is rate-limited for {s} s more"),
                retry_after=wait,
                path=template,
                s=Number(wait, 0),
            )
        if wait > 0:
            log.info("%s", _waiting(wait, key_id))
            self._clock.sleep(wait)
        self._check_quota(template)
        self.limiter.acquire(key_id)
        return key_id

    def _check_quota(self, template: str) -> None:
        if self._usage is None:
            return
        cap = self._config.auth.monthly_cap_total
        used = self._usage.month_total(now_ms(self._clock))
        if used >= cap:
            raise QuotaExhausted(
                N_(
                    "CoinGecko {path}: monthly cap reached ({used}/{cap} requests); "
                    "raise coingecko.auth.monthly_cap_total or wait for next month"
                ),
                path=template,
                used=used,
                cap=cap,
            )

    def _headers(self, key_id: str) -> dict[str, str]:
        secret = self._ring.secret_of(key_id)
        if secret is None:
            return {}
        return {PRO_HEADER if self.plan == "pro" else DEMO_HEADER: secret}

    def _attempt(
        self,
        path: str,
        params: Params | None,
        template: str,
        key_id: str,
        parse: Parse | None,
    ) -> object:
        url = f"{self.base_url}/{path.lstrip('/')}"
        started = time.perf_counter()
        status = 0
        try:
            response = self._http.get(url, params=dict(params or {}), headers=self._headers(key_id))
            status = response.status_code
            body = response.content  # reading may fail mid-body (truncated, reset)
        except httpx.TimeoutException as exc:
            failed = N_("CoinGecko {path}: timed out ({error})")
            return _Failure(ApiError(failed, path=template, error=type(exc).__name__))
        except httpx.TransportError as exc:
            failed = N_("CoinGecko {path}: connection failed ({error})")
            return _Failure(ApiError(failed, path=template, error=type(exc).__name__))
        finally:
            self._account(template, status, started, key_id)
        return self._handle(response, body, template, key_id, parse)

    def _account(self, template: str, status: int, started: float, key_id: str) -> None:
        self.stats.requests += 1
        if self._usage is not None:
            latency = (time.perf_counter() - started) * 1000
            self._usage.record(template, status, latency, key_id, now_ms(self._clock))

    def _handle(
        self,
        response: httpx.Response,
        body: bytes,
        template: str,
        key_id: str,
        parse: Parse | None,
    ) -> object:
        status = response.status_code
        if status == 200:
            return self._decode(body, template, parse)
        if status == 429:
            return self._rate_limited(response, template, key_id)
        info = parse_error_body(body.decode("utf-8", "replace"))
        detail: Message = http_detail(template, status, info)
        if info.code == HISTORY_LIMIT_CODE:
            raise HistoryLimit(
                N_("{detail} (past-365-days limit of the public/demo plans)"),
                status=status,
                code=info.code,
                detail=detail,
            )
        if status in (401, 403) and (info.code in KEY_REJECTED_CODES or info.code is None):
            return self._rejected(key_id, detail, status, info.code)
        if status >= 500 or status == 408:
            return _Failure(ApiError(detail, status=status, code=info.code))
        raise ApiError(detail, status=status, code=info.code)

    def _decode(self, body: bytes, template: str, parse: Parse | None) -> object:
        try:
            data = payloads.loads(body)
        except DataError as exc:
            logged = N_("CoinGecko {path}: unreadable answer ({error}); retrying")
            said = ApiError(
                N_("CoinGecko {path}: {error}"), path=template, error=error_message(exc)
            )
            return _refused(template, exc, logged, said)
        if parse is None:
            return data
        try:
            return parse(data)
        except DataError as exc:
            logged = N_("CoinGecko {path}: malformed answer rejected ({error})")
            said = ApiError(
                N_("CoinGecko {path}: malformed answer ({error})"),
                path=template,
                error=error_message(exc),
            )
            return _refused(template, exc, logged, said)

    def _rate_limited(self, response: httpx.Response, template: str, key_id: str) -> _Failure:
        self.stats.rate_limited += 1
        now = self._clock.now()
        wait = rate_limit_wait(response.headers, now)
        if wait is None:
            wait = self.backoff(1)
        wait = max(wait, MIN_COOLDOWN_SEC)
        self._ring.cool_down(key_id, now + wait)
        line = Message(
            N_("CoinGecko {path}: 429 for key {key}; resets in {s} s"),
            path=template,
            key=key_id,
            s=Number(wait, 1),
        )
        log.warning("%s", line)
        error = RateLimited(
            N_("CoinGecko {path}: HTTP 429 rate limited"), retry_after=wait, path=template
        )
        free_key, free_in = self._ring.soonest(now)
        if free_in > self._config.retries.max_wait_sec:
            free_in = 0.0  # not slept: the next attempt's key gate refuses at once
        return _Failure(
            error, retry_after=free_in, rotate=self._ring.any_ready(now), wait_key=free_key
        )

    def _rejected(self, key_id: str, detail: Message, status: int, code: int | None) -> _Failure:
        if self._ring.keyless:
            raise ApiError(
                N_("{detail}; a key may be required (set COINGECKO_API_KEYS)"),
                status=status,
                code=code,
                detail=detail,
            )
        self._ring.drop(key_id, f"HTTP {status}" + (f" error {code}" if code else ""))
        if len(self._ring) == 0:
            raise ApiError(
                N_("{detail}; every CoinGecko key was rejected"),
                status=status,
                code=code,
                detail=detail,
            )
        return _Failure(ApiError(detail, status=status, code=code), rotate=True)


def _refused(template: str, exc: DataError, logged: str, said: ApiError) -> _Failure:
    """An answer that could not be read or parsed: the ``logged`` warning, and the failure
    (``said``) that the retry policy sees."""
    log.warning("%s", Message(logged, path=template, error=failure_line(exc)))
    return _Failure(said)
