#!/usr/bin/env bash
# Installs the offline "real VS Code" test host into .vscode-test/ (git-ignored, reused between runs):
#   Node 24 (code-server 4.139 needs it) and code-server 4.139.1 from npm, built against Node 24's headers.
# Debian packages (chromium, libkrb5-dev for code-server's kerberos module) come from .ci/run or the README.
# Idempotent: a finished install leaves a stamp file and later runs return at once.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${VSCODE_TEST_CACHE:-$root/.vscode-test}"
CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
stamp="$cache/.installed-code-server-$CODE_SERVER_VERSION-node$NODE_MAJOR"
if [ -f "$stamp" ]; then echo "test host: cached in $cache"; exit 0; fi

# code-server's kerberos module compiles against libkrb5's headers (Debian: libkrb5-dev).
if ! dpkg -s libkrb5-dev >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "test host: installing libkrb5-dev (needed to build code-server)..."
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libkrb5-dev) >/dev/null
  else
    echo "test host: code-server needs libkrb5-dev: run 'sudo apt-get install libkrb5-dev' first" >&2
    exit 1
  fi
fi

mkdir -p "$cache/node$NODE_MAJOR" "$cache/code-server"
start=$(date +%s)
echo "test host: installing Node $NODE_MAJOR from npm (one time, ~10 s)..."
(cd "$cache/node$NODE_MAJOR" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR" >/dev/null)
node24="$(ls -d "$cache/node$NODE_MAJOR"/node_modules/node/node_modules/node-linux-*/ | head -1)"
node24="${node24%/}"
"$node24/bin/node" --version
echo "test host: installing code-server $CODE_SERVER_VERSION from npm (one time, ~2 min)..."
(cd "$cache/code-server" && { [ -f package.json ] || npm init -y >/dev/null; } && \
  PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >/dev/null)
test -f "$cache/code-server/node_modules/code-server/out/node/entry.js"
echo "$node24" > "$cache/node-path"
touch "$stamp"
echo "test host: installed in $(( $(date +%s) - start )) s"
