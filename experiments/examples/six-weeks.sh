#!/usr/bin/env bash
# Six weeks of Brightspark Electric, in a throw-away workspace, with the injected clock: four
# changes started, each night's website export ingested, `verdict daily` every morning,
# `verdict run-all` every Monday and the owner's decisions. One change passes and is kept, then
# degrades in week 4 and is throttled, then rolled back, by its watch after the keep; one fails;
# one is inconclusive and kept on its recommendation; and one breaks bookings and is throttled,
# then rolled back, by its safety checks. `make demo` runs it after the tutorial.
# VERDICT is the verdict binary; DEMO_DIR the folder to run in.
set -euo pipefail
verdict="${VERDICT:?set VERDICT to the verdict binary}"
dir="${DEMO_DIR:-$(mktemp -d -u /tmp/verdict-demo.XXXXXX)}"
mkdir -p "$dir"
cd "$dir"
export NO_COLOR="${NO_COLOR:-}" VERDICT_ACTOR=dana
if [ -t 1 ] && [ -z "$NO_COLOR" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
say() { printf '\n%s%s%s\n' "$bold" "$*" "$plain"; }
v() { "$verdict" "$@"; }

v init weeks --name "Brightspark Electric" --time-zone America/Chicago >/dev/null
cd weeks

# The four changes: name, change_id, flag, cohort, rule's lift, start date, customers an arm a day,
# booking rate without and with the change, booking errors in 100 without and with it.
changes=(
    "book-now   CHG-0101 book_now_button new_customer 0.5  2026-11-02 58 0.20 0.32 1 1"
    "online-pay CHG-0104 online_pay      returning    0.5  2026-11-02 40 0.20 0.20 1 12"
    "reminder   CHG-0102 reminder_text   returning    0.5  2026-11-09 58 0.20 0.19 1 1"
    "follow-up  CHG-0103 follow_up_call  new_customer 0.05 2026-11-16 22 0.25 0.36 1 1"
)
declare -A titles=(
    [book-now]="Book-now button on service pages" [online-pay]="Online payment when booking"
    [reminder]="Reminder text the day before" [follow-up]="Follow-up call after a quote"
)
for change in "${changes[@]}"; do
    read -r name id flag cohort lift _ <<<"$change"
    v new "$name" --template conversion --change-id "$id" --now 2026-11-01T12:00:00-06:00 >/dev/null
    sed -i -e "s/book_now_button/$flag/" -e "s/\"new_customer\"/\"$cohort\"/" -e "s/lift_at_least(0.05)/lift_at_least($lift)/" \
        -e "s/Book-now button on service pages/${titles[$name]}/" "experiments/$name.lua"
done

# One day's website export for a running change, as its tag would send it (awk: no other tools).
# A kept change's export has the treatment arm alone: everyone targeted gets it.
export_day() {  # id cohort day per_arm rate_off rate_on errors_off errors_on first_day [kept]
    awk -v id="$1" -v cohort="$2" -v day="$3" -v n="$4" -v r0="$5" -v r1="$6" -v e0="$7" -v e1="$8" -v first="$9" -v kept="${10:-0}" 'BEGIN {
        for (a = kept ? 1 : 0; a < 2; a++) {
            arm = a ? "on" : "off"; rate = a ? r1 : r0; errors = a ? e1 : e0
            booked = int(n * rate + 0.5)
            for (i = 0; i < n; i++) {
                base = sprintf("\"user_id\":\"%s-%s-%s-%d\",\"user_cohort\":\"%s\",\"change_id\":\"%s\",\"version_flag\":\"%s\"", id, arm, day, i, cohort, id, arm)
                printf "{\"event\":\"quote_viewed\",\"timestamp\":\"%sT16:00:00Z\",%s}\n", day, base
                if (i < booked) printf "{\"event\":\"appointment_booked\",\"timestamp\":\"%sT16:30:00Z\",%s}\n", day, base
                if (a && i < 5) printf "{\"event\":\"book_now_click\",\"timestamp\":\"%sT16:10:00Z\",%s,\"status\":\"success\"}\n", day, base
            }
            submits = first ? 10 : 100
            for (i = 0; i < submits; i++) {
                status = (!first && i < errors) ? "error:timeout" : "success"
                printf "{\"event\":\"booking_submit\",\"timestamp\":\"%sT17:00:00Z\",\"user_id\":\"%s-s-%s-%s-%d\",\"user_cohort\":\"%s\",\"change_id\":\"%s\",\"version_flag\":\"%s\",\"status\":\"%s\"}\n", day, id, arm, day, i, cohort, id, arm, status
            }
        }
    }'
}

# The office's side of the same night: phone bookings and completed jobs with their amounts, from
# the job system, tagged with no change (Verdict stamps each with the change live at its time, or
# none). They feed the dashboard's direct-to-consumer band.
office_day() {  # day offset
    awk -v day="$1" -v k="$2" 'BEGIN {
        booked = 14 + (k * 7) % 9; done = 12 + (k * 5) % 8
        for (i = 0; i < booked; i++)
            printf "{\"event\":\"appointment_booked\",\"timestamp\":\"%sT15:%02d:00Z\",\"user_id\":\"phone-%s-%d\",\"event_id\":\"office-b-%s-%d\"}\n", day, i, day, i, day, i
        for (i = 0; i < done; i++)
            printf "{\"event\":\"job_completed\",\"timestamp\":\"%sT21:%02d:00Z\",\"user_id\":\"job-%s-%d\",\"event_id\":\"office-j-%s-%d\",\"value\":%d}\n", day, i, day, i, day, i, 140 + (i * 97 + k * 31) % 520
    }'
}

day_of() { date -u -d "2026-11-02 +$1 days" +%F; }
weekday() { date -u -d "$1" +%a; }
mkdir -p exports
for offset in $(seq 0 41); do
    today=$(day_of "$offset")
    yesterday=$(date -u -d "$today -1 day" +%F)
    export VERDICT_NOW="${today}T06:00:00-06:00"
    # The night's exports: the office's jobs, and yesterday's website events of every change
    # running then.
    office_day "$yesterday" "$offset" > "exports/office-$yesterday.jsonl"
    v ingest "exports/office-$yesterday.jsonl" >/dev/null
    : > "exports/$yesterday.jsonl"
    for change in "${changes[@]}"; do
        read -r name id flag cohort lift start per r0 r1 e0 e1 <<<"$change"
        state=$(v status | awk -v id="$id" '$1 == id { print $2 }')
        end=$(date -u -d "$start +6 days" +%F)
        if [[ "$state" == started || "$state" == running || "$state" == throttled ]] && [[ ! "$yesterday" < "$start" ]] && [[ ! "$yesterday" > "$end" ]]; then
            first=0; [ "$yesterday" = "$start" ] && first=1
            export_day "$id" "$cohort" "$yesterday" "$per" "$r0" "$r1" "$e0" "$e1" "$first" >> "exports/$yesterday.jsonl"
        elif [ "$state" = kept ] && [[ "$yesterday" > "$end" ]]; then
            # Kept and watched; the Book-now button goes wrong in week 4 (15 booking errors in 100).
            [ "$id" = CHG-0101 ] && [[ ! "$yesterday" < 2026-11-23 ]] && e1=15
            export_day "$id" "$cohort" "$yesterday" "$per" "$r0" "$r1" "$e0" "$e1" 0 1 >> "exports/$yesterday.jsonl"
        fi
    done
    if [ -s "exports/$yesterday.jsonl" ]; then v ingest "exports/$yesterday.jsonl" >/dev/null; fi
    # Starts, at 07:00.
    for change in "${changes[@]}"; do
        read -r name id _ _ _ start _ <<<"$change"
        if [ "$start" = "$today" ]; then
            say "$(weekday "$today") $today: start $id ($name)"
            v start "$name" --accept-underpowered --now "${today}T07:00:00-06:00" | sed -n '1p;3,5p'
        fi
    done
    # The morning run: shown when it acted.
    summary=$(v daily --now "${today}T07:30:00-06:00")
    if grep -q "ACTION" <<<"$summary"; then
        say "$(weekday "$today") $today: verdict daily"
        grep -E "^CHG|ACTION|BREACH" <<<"$summary"
    fi
    # Mondays: the weekly verdicts, and the owner's decisions.
    if [ "$(weekday "$today")" = Mon ] && [ "$offset" -gt 0 ]; then
        apply=(); [ "$today" = 2026-11-23 ] && apply=(--apply)
        say "$(weekday "$today") $today: verdict run-all${apply[*]:+ ${apply[*]}}"
        v run-all "${apply[@]}" --now "${today}T08:00:00-06:00"
        case "$today" in
            2026-11-09) v decide CHG-0101 keep --note "passed: more bookings" --now "${today}T09:00:00-06:00" ;;
            2026-11-16) v decide CHG-0102 rollback --note "failed: fewer bookings" --now "${today}T09:00:00-06:00" ;;
        esac
    fi
done

export VERDICT_NOW=2026-12-14T07:00:00-06:00
say "Six weeks later: verdict status"
v status
say "verdict audit (without the nightly ingests)"
v audit --csv | awk -F, 'NR == 1 || $5 != "ingest" { printf "%4s  %s  %-9s %-8s %s\n", $1, $2, $3, $4, $5 }'
say "verdict audit verify --reproduce"
v audit verify --reproduce
say "verdict dashboard"
v dashboard
page=dashboards/index.html
printf '\nThe six-week workspace is in %s/weeks; its morning summaries are in daily/.\n' "$dir"
printf 'Its dashboard: %s/weeks/%s (open it in a browser; it needs no network).\n' "$dir" "$page"
