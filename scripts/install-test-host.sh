#!/usr/bin/env bash
# Kept for old instructions and scripts: the installer is scripts/testHost.mjs (clean npm environment, atomic).
exec node "$(dirname "$0")/testHost.mjs" "$@"
