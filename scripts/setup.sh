#!/usr/bin/env bash
# Installs what AutoWeave needs on a fresh machine, then starts it or tests it.
#   bash scripts/setup.sh start   install, build and start the whole backend
#   bash scripts/setup.sh test    install, build and run every test
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
NODE_MAJOR_MIN=20

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; }
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

case "${1:-}" in
  start|test) ;;
  -h|--help) usage; exit 0 ;;
  *) usage; exit 2 ;;
esac

command -v node >/dev/null || { say "Node.js >= ${NODE_MAJOR_MIN} is required: https://nodejs.org (or: apt-get install nodejs npm)"; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge "$NODE_MAJOR_MIN" ] || { say "Node.js >= ${NODE_MAJOR_MIN} is required, found $(node -v)"; exit 1; }

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  say "installing pnpm@${PNPM_VERSION}"
  npm install -g "pnpm@${PNPM_VERSION}" >/dev/null
fi

# Tests always start their own nats-server; start needs one unless NATS_URL points at a running server.
need_nats=yes
[ "$1" = start ] && [ -n "${NATS_URL:-}" ] && need_nats=no
if [ "$need_nats" = yes ] && ! command -v nats-server >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    say "installing nats-server from Debian packages"
    (apt-get install -y nats-server >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y nats-server >/dev/null; })
  else
    say "nats-server is not on PATH: install it (apt-get install nats-server, or https://github.com/nats-io/nats-server/releases) or set NATS_URL"
    exit 1
  fi
fi

# The TLS test of the NATS connection makes its certificates with openssl.
if [ "$1" = test ] && ! command -v openssl >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  say "installing openssl from Debian packages (for the NATS TLS test)"
  apt-get install -y openssl >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y openssl >/dev/null; }
fi

# The dashboard's browser tests drive Debian's chromium (test/src/dashboard.e2e.test.ts skips them without it).
if [ "$1" = test ] && ! command -v chromium >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    say "installing chromium from Debian packages (for the dashboard's browser tests)"
    (apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }) ||
      say "could not install chromium: the dashboard's browser tests will be skipped"
  else
    say "chromium is not installed: the dashboard's browser tests will be skipped (apt-get install chromium)"
  fi
fi

# test/src/monitoring.test.ts runs `promtool check rules` on deploy/monitoring (skipped without it).
# Only the binary is taken from Debian's prometheus package: the Prometheus service is not installed.
if [ "$1" = test ] && ! command -v promtool >/dev/null && [ ! -x /tmp/prom/usr/bin/promtool ] && [ ! -x .autoweave/bin/promtool ]; then
  if command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
    say "fetching promtool from Debian's prometheus package (for the monitoring rules test)"
    promtool_dir=/usr/local/bin
    [ "$(id -u)" = 0 ] || { promtool_dir=.autoweave/bin; mkdir -p "$promtool_dir"; }
    (cd /tmp && rm -f prometheus_*.deb && apt-get download prometheus >/dev/null 2>&1 && dpkg-deb -x prometheus_*.deb /tmp/prom) &&
      cp /tmp/prom/usr/bin/promtool "$promtool_dir/promtool" ||
      say "could not fetch promtool: the promtool check in the monitoring test will be skipped"
  else
    say "promtool is not installed: the promtool check in the monitoring test will be skipped (apt-get download prometheus)"
  fi
fi

export TURBO_TELEMETRY_DISABLED=1
say "installing dependencies"
pnpm install --frozen-lockfile

case "$1" in
  start) exec pnpm start ;;
  test) exec pnpm test ;;
esac
