"""The replay server: CoinGecko (``/api/v3``), ExchangeRate-API (``/fx/v6``) and a Binance
spot subset (``/binance``) on loopback, over stored or generated history, with faults.

"Now" comes from the clock (default: a frozen clock at the history's end); only data that
exists by "now" is served, so advancing a FakeClock replays the history as live.
Per request, in order: request logged → key check (``valid_keys``) → per-key rate limit
(``rpm_limit``, fixed one-minute windows like CoinGecko's, reset at the minute) → injected
fault, if any → the endpoint.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Collection, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import polars as pl

from finbot.clock import Clock
from finbot.errors import UsageError
from finbot.i18n import N_
from finbot.replay import binance, fx
from finbot.replay.coingecko import CoinGeckoApi
from finbot.replay.faults import BODY_FAULTS, Fault, FaultPlan, spoil
from finbot.replay.history import HistorySource
from finbot.replay.responses import (
    Reply,
    history_limit,
    json_reply,
    rate_limited,
    status_error,
    text_reply,
)
from finbot.timeframes import MINUTE_MS

LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
CG_PREFIX, FX_PREFIX, EX_PREFIX = "/api/v3", "/fx/v6", "/binance"
KEY_HEADERS = ("x-cg-demo-api-key", "x-cg-pro-api-key")
KEY_PARAMS = ("x_cg_demo_api_key", "x_cg_pro_api_key")
_HTML_5XX = (
    "<html><head><title>{code} {text}</title></head>"
    "<body><center><h1>{code} {text}</h1></center></body></html>"
)


class _FrozenClock:
    def __init__(self, at_s: float):
        self._at = at_s

    def now(self) -> float:
        return self._at

    def sleep(self, seconds: float) -> None:
        self._at += max(0.0, seconds)


class ReplayServer:
    """A loopback HTTP server replaying ``history``. Use as a context manager, or start()/stop().

    ``history``: a HistorySource or ``{coin: {timeframe: bars frame}}``. ``valid_keys``: when
    set, a CoinGecko key outside it gets 401 (error 10010), and ``require_key`` makes a missing
    key a 401 too (error 10002). ``rpm_limit``: per key (keyless counts as one key).
    ``plan``: "demo" (default: 365-day history limit) or "pro". ``fx_keys``: valid
    ExchangeRate-API keys (None: any key works).
    """

    def __init__(
        self,
        history: HistorySource | Mapping[str, Mapping[str, pl.DataFrame]],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultPlan | None = None,
        clock: Clock | None = None,
        valid_keys: Collection[str] | None = None,
        rpm_limit: int | None = None,
        plan: str = "demo",
        require_key: bool = False,
        fx_keys: Collection[str] | None = None,
        label: str = "synthetic",
    ):
        if host not in LOOPBACK_HOSTS:
            raise UsageError(
                N_("host: the replay server binds to loopback only (127.0.0.1), got {host!r}"),
                host=host,
            )
        if plan not in ("demo", "pro"):
            raise UsageError(N_("plan: expected demo or pro, got {plan!r}"), plan=plan)
        self.source = (
            history if isinstance(history, HistorySource) else HistorySource(history, label=label)
        )
        self.host, self.port = "127.0.0.1", port
        self.faults = faults if faults is not None else FaultPlan()
        self.clock: Clock = clock if clock is not None else _FrozenClock(self.source.end_ms / 1000)
        self.valid_keys = None if valid_keys is None else frozenset(valid_keys)
        self.require_key, self.rpm_limit, self.plan = require_key, rpm_limit, plan
        self.fx_keys = None if fx_keys is None else frozenset(fx_keys)
        self.api = CoinGeckoApi(self.source, plan)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._minute_counts: Counter[tuple[str, int]] = Counter()
        self._status: Counter[int] = Counter()
        self._endpoints: Counter[str] = Counter()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle
    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.root + CG_PREFIX

    @property
    def fx_url(self) -> str:
        return self.root + FX_PREFIX

    @property
    def exchange_url(self) -> str:
        return self.root + EX_PREFIX

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    def start(self) -> str:
        """Bind and serve in a background thread; returns the CoinGecko base URL."""
        if self._httpd is None:
            self._httpd = _Server((self.host, self.port), _handler_for(self))
            self.port = int(self._httpd.server_address[1])
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                name="replay-server",
                kwargs={"poll_interval": 0.05},
                daemon=True,
            )
            self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ReplayServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ faults and figures
    def inject(self, kind: str, count: int = 1, path: str | None = None, **opts: Any) -> None:
        """Queue ``count`` faults of ``kind`` for the next requests whose path contains ``path``."""
        self.faults.inject(kind, count, path, **opts)

    def set_random(
        self,
        rate: float,
        kinds: Collection[str] | None = None,
        seed: int = 0,
        path: str | None = None,
        **opts: Any,
    ) -> None:
        self.faults.set_random(rate, kinds, seed, path, **opts)

    def stats(self) -> dict[str, Any]:
        """Requests seen, served (2xx), per status, per endpoint and faults injected by kind."""
        with self._lock:
            return {
                "requests": len(self.requests),
                "served": sum(n for s, n in self._status.items() if 200 <= s < 300),
                "status": {str(s): n for s, n in sorted(self._status.items())},
                "endpoints": dict(self._endpoints),
                "faults": dict(self.faults.injected),
            }

    def reset_stats(self) -> None:
        with self._lock:
            self.requests.clear()
            self._status.clear()
            self._endpoints.clear()
            self._minute_counts.clear()
            self.faults.injected.clear()

    # ------------------------------------------------------------ request pipeline
    def respond(
        self, path: str, params: dict[str, str], headers: Mapping[str, str]
    ) -> tuple[Reply | None, Fault | None, str | None]:
        """The reply for one request (None: drop the connection), the fault applied, the key."""
        now = self.now_ms()
        key = _key_of(path, params, headers)
        entry: dict[str, Any] = {"path": path, "params": dict(params), "key": key, "ts_ms": now}
        gate = self._gate(path, key, now)
        fault = None if gate is not None else self.faults.take(path)
        reply = gate if gate is not None else self._apply(fault, path, params, now)
        entry.update(
            status=None if reply is None else reply.status, fault=fault.kind if fault else None
        )
        with self._lock:
            self.requests.append(entry)
            self._status[entry["status"] or 0] += 1
            self._endpoints[_endpoint_name(path)] += 1
        return reply, fault, key

    def _gate(self, path: str, key: str | None, now: int) -> Reply | None:
        if not path.startswith(CG_PREFIX):
            return None
        if key is None and self.require_key:
            return status_error(401, 10002, "API Key Missing")
        if key is not None and self.valid_keys is not None and key not in self.valid_keys:
            return status_error(401, 10010, "Invalid API Key")
        if self.rpm_limit is not None:
            with self._lock:
                bucket = (key or "", now // MINUTE_MS)
                self._minute_counts[bucket] += 1
                if self._minute_counts[bucket] > self.rpm_limit:
                    return rate_limited(now, self.rpm_limit)
        return None

    def _apply(
        self, fault: Fault | None, path: str, params: dict[str, str], now: int
    ) -> Reply | None:
        if fault is None:
            return self._route(path, params, now)
        kind, opts = fault.kind, fault.opts
        if kind == "reset":
            return None
        if kind == "slow":
            time.sleep(float(opts.get("delay", 2.0)))
            return self._route(path, params, now)
        if kind in BODY_FAULTS:
            return _spoiled(self._route(path, params, now), kind, opts)
        return _error_fault(kind, opts, now, self.rpm_limit)

    def _route(self, path: str, params: dict[str, str], now: int) -> Reply:
        if path.startswith(CG_PREFIX):
            return self.api.handle(path[len(CG_PREFIX) :] or "/", params, now)
        if path.startswith(FX_PREFIX):
            return fx.handle(path[len(FX_PREFIX) :], now, self.fx_keys)
        if path.startswith(EX_PREFIX):
            return binance.handle(path[len(EX_PREFIX) :], params, self.source, now)
        return json_reply({"error": "Not Found"}, 404)


def _key_of(path: str, params: Mapping[str, str], headers: Mapping[str, str]) -> str | None:
    for name in KEY_HEADERS:
        if headers.get(name):
            return headers[name]
    for name in KEY_PARAMS:
        if params.get(name):
            return params[name]
    return None


def _endpoint_name(path: str) -> str:
    """``/api/v3/coins/bitcoin/ohlc`` → ``/coins/{id}/ohlc``; other families keep their prefix."""
    if not path.startswith(CG_PREFIX):
        return path
    parts = path[len(CG_PREFIX) :].split("/")
    if len(parts) > 3 and parts[1] == "coins":
        return "/coins/{id}/" + "/".join(parts[3:])
    return "/".join(parts) or "/"


def _spoiled(reply: Reply, kind: str, opts: Mapping[str, Any]) -> Reply:
    if reply.status != 200 or reply.payload is None:
        return reply
    if kind == "truncated":
        cut = Reply(
            200, reply.body[: max(1, len(reply.body) // 2)], reply.content_type, dict(reply.headers)
        )
        if opts.get("mode") == "transport":
            cut.headers["x-declared-length"] = str(len(reply.body))
        return cut
    return json_reply(spoil(reply.payload, kind, dict(opts)), 200, reply.headers)


def _error_fault(kind: str, opts: Mapping[str, Any], now: int, rpm: int | None) -> Reply:
    if kind == "429":
        return rate_limited(
            now,
            int(opts.get("limit", rpm or 30)),
            reset_in_s=opts.get("reset_in"),
            retry_after=opts.get("retry_after"),
        )
    if kind == "429_1015":
        return text_reply("error code: 1015", 429)
    if kind == "401_10012":
        return history_limit(now)
    if kind == "500":
        return status_error(500, 500, "Internal server error")
    text = {"502": "Bad Gateway", "503": "Service Temporarily Unavailable"}[kind]
    return text_reply(_HTML_5XX.format(code=kind, text=text), int(kind), "text/html; charset=utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class _ReplayHandler(BaseHTTPRequestHandler):
    """Serves one connection of ``replay`` (set on the subclass ``_handler_for`` makes)."""

    replay: ClassVar[ReplayServer]
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # one reply = two writes; avoid the 40 ms Nagle stall
    server_version = "finbot-replay/1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply, _fault, _key = self.replay.respond(parts.path.rstrip("/") or "/", params, headers)
        if reply is None:
            self._reset()
            return
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        declared = reply.headers.pop("x-declared-length", None)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", declared or str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if declared:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(reply.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _reset(self) -> None:
        """Abort the connection with a TCP RST and no reply."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base
        return


def _handler_for(replay: ReplayServer) -> type[BaseHTTPRequestHandler]:
    """A handler class bound to ``replay`` (http.server makes one handler per request)."""

    class Handler(_ReplayHandler):
        pass

    Handler.replay = replay
    return Handler
