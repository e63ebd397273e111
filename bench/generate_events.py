#!/usr/bin/env python3
"""Writes N realistic Verdict events (about 200 bytes each) for the ingest benchmark.

Usage: generate_events.py N EVENTS.jsonl ROWS.csv

EVENTS.jsonl is what `verdict ingest` reads. ROWS.csv holds the same events already in the
store's columns (ts in epoch ms, local day, attributed, props as JSON, hash) for the sqlite3
command-line tool to import: the work a user would do instead, minus validation.
"""
import csv
import hashlib
import json
import random
import sys
from datetime import datetime, timedelta, timezone

n = int(sys.argv[1])
rng = random.Random(20261121)
events = [
    ("quote_viewed", 0.30), ("book_now_click", 0.12), ("appointment_booked", 0.15),
    ("reminder_sent", 0.10), ("job_completed", 0.15), ("callback", 0.03),
    ("review_received", 0.05), ("booking_submit", 0.10),
]
names = [e for e, _ in events]
weights = [w for _, w in events]
start = datetime(2026, 9, 1, tzinfo=timezone.utc)
central = timezone(timedelta(hours=-6))


def canonical_number(x):
    if x == int(x) and abs(x) < 1e21:
        return str(int(x))
    return repr(x)


with open(sys.argv[2], "w") as out_json, open(sys.argv[3], "w", newline="") as out_csv:
    writer = csv.writer(out_csv)
    writer.writerow(["event", "ts", "day", "change_id", "attributed", "version_flag", "user_cohort", "user_id",
                     "status", "latency_ms", "value", "event_id", "props", "hash"])
    for i in range(n):
        name = rng.choices(names, weights)[0]
        moment = start + timedelta(seconds=rng.randrange(60 * 86400))
        local = moment.astimezone(central)
        stamp = local.isoformat(timespec="seconds")
        change = "CHG-%04d" % rng.randint(1, 20)
        flag = rng.choice(("on", "off"))
        cohort = rng.choice(("new_customer", "returning"))
        user = "cust-%05d" % rng.randrange(40000)
        status = "error:timeout" if rng.random() < 0.02 else "success"
        latency = rng.randrange(40, 2400)
        value = round(rng.uniform(90, 900), 2) if name == "job_completed" else None
        event_id = "%016x" % rng.getrandbits(64)
        record = {"event": name, "timestamp": stamp, "change_id": change, "version_flag": flag,
                  "user_cohort": cohort, "user_id": user, "status": status, "latency_ms": latency}
        if value is not None:
            record["value"] = value
        record["event_id"] = event_id
        out_json.write(json.dumps(record, separators=(",", ":")) + "\n")
        fields = [name, stamp, change, flag, cohort, user, status, canonical_number(latency),
                  canonical_number(value) if value is not None else "", event_id, ""]
        token = hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:12]
        ms = int(moment.timestamp() * 1000)
        day = (ms - 6 * 3600 * 1000) // 86400000
        writer.writerow([name, ms, day, change, 1, flag, cohort, user, status, latency,
                         "" if value is None else value, event_id, "", token])
