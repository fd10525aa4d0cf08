#!/usr/bin/env bash
# Optional services for the test suite, Debian's packages:
#   redis-server  the Redis backend of the TTL cache is tested against a real server;
#   postgresql    the database suites also run against PostgreSQL (the tests start their own
#                 throw-away cluster with initdb/pg_ctl on a loopback port; they need no
#                 running system service);
#   chromium, chromium-driver  the dashboard's browser tests drive the system Chromium with
#                 Selenium through /usr/bin/chromedriver (no browser download).
# The tests that need one skip cleanly without it.
# Idempotent: installs only what is missing. Installs with apt-get only when running as root on
# a Debian/Ubuntu machine; otherwise says what to install and exits 0.
set -uo pipefail

have_redis() { command -v redis-server >/dev/null 2>&1; }
have_postgresql() {
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1
}
where_postgresql() {
    compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n 1 || command -v initdb
}

missing=()
if have_redis; then
    echo "install_services: redis-server already present ($(command -v redis-server))"
else
    missing+=(redis-server)
fi
if have_postgresql; then
    echo "install_services: PostgreSQL already present ($(where_postgresql))"
else
    missing+=(postgresql)
fi
have_chromium() { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; }
if have_chromium; then
    echo "install_services: chromium and chromedriver already present ($(command -v chromium))"
else
    missing+=(chromium chromium-driver)
fi
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install_services: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq >/dev/null && \
       apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
        have_redis && echo "install_services: redis-server installed ($(command -v redis-server))"
        have_postgresql && echo "install_services: PostgreSQL installed ($(where_postgresql))"
        have_chromium && echo "install_services: chromium installed ($(command -v chromium))"
    else
        echo "install_services: apt-get could not install ${missing[*]};" \
             "the tests that need them will be skipped" >&2
    fi
    exit 0
fi

for package in "${missing[@]}"; do
    case "$package" in
        redis-server)
            echo "install_services: redis-server not found; to run the Redis cache tests" \
                 "install it (Debian/Ubuntu: sudo apt-get install redis-server;" \
                 "macOS: brew install redis). Those tests are skipped meanwhile." >&2 ;;
        postgresql)
            echo "install_services: PostgreSQL not found; to run the database suites against" \
                 "PostgreSQL install it (Debian/Ubuntu: sudo apt-get install postgresql;" \
                 "macOS: brew install postgresql). Those tests are skipped meanwhile." >&2 ;;
        chromium)
            echo "install_services: chromium not found; to run the dashboard's browser tests" \
                 "install it (Debian/Ubuntu: sudo apt-get install chromium chromium-driver)." \
                 "Those tests are skipped meanwhile." >&2 ;;
    esac
done
exit 0
