#!/usr/bin/env bash
# The demo `make demo` runs: the README's tutorial, command by command, in a throw-away folder.
# The commands are the `$ ` lines of the README's ```console blocks, the same ones the tests run
# and compare with the outputs the README shows, so the demo and the README cannot drift apart.
# VERDICT is the verdict binary; DEMO_DIR the folder to run in.
set -euo pipefail
repository="$(cd "$(dirname "$0")/../.." && pwd)"
verdict="${VERDICT:?set VERDICT to the verdict binary}"
dir="${DEMO_DIR:-$(mktemp -d -u /tmp/verdict-demo.XXXXXX)}"
mkdir -p "$dir"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi

# The tutorial's commands, each preceded by a line that shows it.
script="$(awk -v bold="$bold" -v plain="$plain" '
    /^```/ { if (inside) { inside = 0 } else if ($0 == "```console") { inside = 1 } else { other = !other }; next }
    inside && /^\$ / {
        command = substr($0, 3)
        shown = command; gsub(/\047/, "\047\\\047\047", shown)
        printf "printf \047\\n%s$ %s%s\\n\047 \047%s\047\n%s\n", bold, "%s", plain, shown, command
    }' "$repository/README.md")"

cd "$dir"
PATH="$(dirname "$verdict"):$PATH" NO_COLOR="${NO_COLOR:-}" bash -c "$script"
printf '\nThe demo workspace is in %s/brightspark\n' "$dir"
