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
cp "$examples/website-events.jsonl" "$examples/jobs-export.csv" "$dir/"
cd "$dir"

step verdict settings
"$verdict" settings

step verdict new --list
"$verdict" new --list

step verdict new book-now --template conversion
"$verdict" new book-now --template conversion

step verdict check book-now
"$verdict" check book-now

step verdict lua plugins/crew-callbacks.lua
"$verdict" lua plugins/crew-callbacks.lua

step verdict lua --json plugins/crew-callbacks.lua
"$verdict" lua --json plugins/crew-callbacks.lua 2>/dev/null

step verdict lua plugins/runaway.lua "   # a hostile script: stopped, with the limit named"
if "$verdict" lua plugins/runaway.lua; then
    echo "the runaway script was not stopped" >&2
    exit 1
fi

step verdict ingest website-events.jsonl jobs-export.csv "   # rows with mistakes go to quarantine (exit 3)"
"$verdict" ingest website-events.jsonl jobs-export.csv || [ $? -eq 3 ]

step verdict ingest website-events.jsonl "   # the same file again: nothing stored twice"
"$verdict" ingest website-events.jsonl

step verdict events --change CHG-0007 --by event,flag
"$verdict" events --change CHG-0007 --by event,flag

step verdict events --event appointment_booked --by day
"$verdict" events --event appointment_booked --by day

step verdict quarantine
"$verdict" quarantine

sed -i 's/CHG-0001/CHG-0007/' experiments/book-now.lua   # the example events belong to CHG-0007
step verdict report book-now --from 2026-11-02
"$verdict" report book-now --from 2026-11-02

printf '\nThe demo workspace is in %s\n' "$dir"
