#!/bin/bash
# The README's first-start and collect-historical timings as a new user meets them, keyless and
# with a key, against the local replay server (no internet; finbot's client applies the plans'
# rate limits as against CoinGecko). Usage: scripts/readme_timings.sh [WORK_DIR]
# Prints one line per measurement (wall seconds, start-up included); outputs in WORK_DIR.
set -u
cd "$(dirname "$0")/.."
FB=$PWD/.venv/bin/finbot
T=${1:-/tmp/finbot-timings}
KEY=CG-replay-timing-key-0001  # the replay server accepts any key (demo plan)
rm -rf "$T" && mkdir -p "$T"
unset COINGECKO_API_KEYS EXCHANGERATE_API_KEY FINBOT_DB_URL FINBOT_LANG FINBOT_COINGECKO_URL
"$FB" --home "$T/h-server" replay-server --port 0 --json > "$T/server.json" 2> "$T/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 60); do [ -s "$T/server.json" ] && break; sleep 1; done
FINBOT_COINGECKO_URL=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['url'])" "$T/server.json")
FINBOT_FX_URL=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['fx_url'])" "$T/server.json")
export FINBOT_COINGECKO_URL FINBOT_FX_URL
measure() {  # label, command...
  local label=$1 start end rc
  shift
  start=$(date +%s.%N)
  "$@" > "$T/$label.out" 2>&1
  rc=$?
  end=$(date +%s.%N)
  echo "$label rc=$rc wall=$(python3 -c "print(round($end - $start, 1))") s"
}
measure collect_keyless "$FB" --home "$T/h-ck" collect-historical --coins bitcoin,ethereum
measure collect_keyed env COINGECKO_API_KEYS=$KEY "$FB" --home "$T/h-cd" collect-historical --coins bitcoin,ethereum
measure start_keyless "$FB" --home "$T/h-sk" start --no-menu
"$FB" --home "$T/h-sk" stop >> "$T/start_keyless.out" 2>&1
measure start_keyed env COINGECKO_API_KEYS=$KEY "$FB" --home "$T/h-sd" start --no-menu
env COINGECKO_API_KEYS=$KEY "$FB" --home "$T/h-sd" stop >> "$T/start_keyed.out" 2>&1
