"""Issue 7.5: API keys never leak (CLI outputs, logs, status, settings, errors, database);
the secrets file is 0600; no model file is unpickled; the replay server binds loopback only."""

from __future__ import annotations

import os
import pickle
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from finbot.config import save_secrets
from finbot.config.models import Secrets
from finbot.errors import ModelError, UsageError
from finbot.paths import Paths
from finbot.prediction.models.model_store import ModelStore
from finbot.replay import ReplayServer
from tests.fixtures.ops import REPO
from tests.reliability.crash_child import tiny_report
from tests.reliability.helpers import FX_KEY, KEYS, make_home, replay_api, report

pytestmark = pytest.mark.reliability
REVOKED = "CG-revokedKeyZZZZ9999"


def _run(paths: Paths, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finbot", "--home", str(paths.home), "--lang", "en", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.slow
def test_keys_never_appear_in_outputs_logs_or_database(
    tmp_path: Path, make_replay_server: Callable[..., ReplayServer]
) -> None:
    server = make_replay_server(valid_keys=KEYS[:1])  # the second key is rejected: an error path
    paths = make_home(
        tmp_path / "home", replay_api(server.url, server.fx_url, server.exchange_url, read_s=10)
    )
    env = {
        **os.environ,
        "FINBOT_HOME": str(paths.home),
        "COINGECKO_API_KEYS": ",".join(KEYS),
        "EXCHANGERATE_API_KEY": FX_KEY,
    }
    env.pop("FINBOT_COINGECKO_URL", None)
    runs = [
        _run(paths, env, *args)
        for args in (
            ["settings"],
            ["settings", "--json"],
            ["collect", "prices", "--coins", "btc,eth", "--base-url", server.url, "--json"],
            ["collect", "markets", "-v", "--coins", "btc", "--base-url", server.url],
            ["collect", "fx", "--base-url", server.url, "--json"],
            ["status", "--json"],
            ["status"],
            ["stop"],
        )
    ]
    bad_env = {**env, "COINGECKO_API_KEYS": REVOKED}
    runs.append(_run(paths, bad_env, "collect", "prices", "--base-url", server.url))
    assert runs[2].returncode == 0, runs[2].stderr
    assert runs[-1].returncode != 0 and "rejected" in runs[-1].stderr  # the error path ran
    texts = [r.stdout + r.stderr for r in runs]
    files = [p for p in paths.home.rglob("*") if p.is_file()]
    secrets = [*KEYS, FX_KEY, REVOKED]
    leaks = [
        f"{name}: {key[-4:]}"
        for name, blob in [
            *((f"command {i}", t.encode()) for i, t in enumerate(texts)),
            *((str(p.relative_to(paths.home)), p.read_bytes()) for p in files),
        ]
        for key in secrets
        if key.encode() in blob
    ]
    assert server.requests and any(e["key"] == KEYS[0] for e in server.requests)  # keys were used
    assert (paths.logs_dir / "finbot.log").stat().st_size > 0 and paths.db_file.is_file()
    report("secrets", {"commands": len(runs), "files_scanned": len(files), "leaks": len(leaks)})
    assert leaks == []


def test_secrets_file_is_owner_only(home: Paths) -> None:
    path = save_secrets(home, Secrets(coingecko_keys=KEYS, exchangerate_key=FX_KEY))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


class _Boom:
    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (Path(os.environ["FINBOT_PWNED"]),))


@pytest.mark.parametrize("how", ["pickle_as_skops", "untrusted_skops"])
def test_a_planted_pickle_is_refused(
    home: Paths, tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "pwned"
    monkeypatch.setenv("FINBOT_PWNED", str(marker))
    store = ModelStore(home.models_dir)
    version = store.save(tiny_report(1))
    model_file = home.models_dir / "bitcoin" / "1h" / "1h" / version / "model.skops"
    if how == "pickle_as_skops":
        model_file.write_bytes(pickle.dumps(_Boom()))
    else:
        import skops.io as sio
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import FunctionTransformer

        sio.dump(Pipeline([("f", FunctionTransformer(os.system))]), model_file)
    with pytest.raises(ModelError):
        ModelStore(home.models_dir).load_latest("bitcoin", "1h", "1h")
    assert not marker.exists()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10"])
def test_replay_server_binds_loopback_only(replay_history, host: str) -> None:
    with pytest.raises(UsageError, match="loopback"):
        ReplayServer(replay_history, host=host)


def test_replay_server_listens_on_127_0_0_1(replay_server: ReplayServer) -> None:
    assert replay_server._httpd is not None
    assert replay_server._httpd.server_address[0] == "127.0.0.1"
    assert replay_server._httpd.socket.family == socket.AF_INET
