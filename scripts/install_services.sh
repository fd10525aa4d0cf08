#!/usr/bin/env bash
# Optional services for the test suite: redis-server (the Redis backend of the TTL cache is
# tested against a real server; those tests skip cleanly without it).
# Idempotent: does nothing when redis-server is already on PATH. Installs it with apt-get only
# when running as root on a Debian/Ubuntu machine; otherwise says what to install and exits 0.
set -uo pipefail

if command -v redis-server >/dev/null 2>&1; then
    echo "install_services: redis-server already present ($(command -v redis-server))"
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install_services: installing redis-server with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq >/dev/null && \
       apt-get install -y -qq --no-install-recommends redis-server >/dev/null; then
        echo "install_services: redis-server installed ($(command -v redis-server))"
    else
        echo "install_services: apt-get could not install redis-server;" \
             "the Redis cache tests will be skipped" >&2
    fi
    exit 0
fi

echo "install_services: redis-server not found; to run the Redis cache tests install it" \
     "(Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)." \
     "Those tests are skipped meanwhile." >&2
exit 0
