#!/usr/bin/env python3
"""Rewrites events (JSON lines) as a website sends them to `verdict serve`.

Usage: website_events.py IN.jsonl OUT.jsonl PREFIX [N]

The first N events of IN (all by default), in time order, each with an event_id made the way
plugins/web/verdict.js makes one: PREFIX, then a counter that grows with time, then random hex
(here taken from the event's own id). A website's events arrive as they happen, so they come in
time order and their ids start with the time. PREFIX keeps two files' ids apart.
"""
import json
import sys

source, target, prefix = sys.argv[1:4]
limit = int(sys.argv[4]) if len(sys.argv) > 4 else None
with open(source) as lines:
    events = [json.loads(line) for line in lines]
if limit is not None:
    events = events[:limit]
# Every generated timestamp has the same offset, so the text sorts as the time does.
events.sort(key=lambda event: event["timestamp"])
with open(target, "w") as out:
    for number, event in enumerate(events):
        event["event_id"] = "%s-%08x-%s" % (prefix, number, event.get("event_id", "")[:12])
        out.write(json.dumps(event, separators=(",", ":")) + "\n")
