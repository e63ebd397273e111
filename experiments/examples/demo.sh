#!/usr/bin/env bash
# The demo `make demo` runs: a workspace in a throw-away folder, its settings, and scripts run
# in the experiment sandbox. VERDICT is the verdict binary; DEMO_DIR the folder to create.
set -euo pipefail
examples="$(cd "$(dirname "$0")" && pwd)"
verdict="${VERDICT:?set VERDICT to the verdict binary}"
dir="${DEMO_DIR:-$(mktemp -d -u /tmp/verdict-demo.XXXXXX)}"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
else
    step() { printf '\n$ %s\n' "$*"; }
fi

step verdict init "$dir" --name "Brightspark Electric" --time-zone America/Chicago
"$verdict" init "$dir" --name "Brightspark Electric" --time-zone America/Chicago
cp "$examples/crew-callbacks.lua" "$examples/runaway.lua" "$dir/plugins/"
cd "$dir"

step verdict settings
"$verdict" settings

step verdict lua plugins/crew-callbacks.lua
"$verdict" lua plugins/crew-callbacks.lua

step verdict lua --json plugins/crew-callbacks.lua
"$verdict" lua --json plugins/crew-callbacks.lua 2>/dev/null

step verdict lua plugins/runaway.lua "   # a hostile script: stopped, with the limit named"
if "$verdict" lua plugins/runaway.lua; then
    echo "the runaway script was not stopped" >&2
    exit 1
fi

printf '\nThe demo workspace is in %s\n' "$dir"
