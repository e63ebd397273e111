#!/usr/bin/env python3
"""Sends a file of events (JSON lines) to `verdict serve`'s POST /v1/events in batches.

Usage: post_events.py URL TOKEN EVENTS.jsonl [--batch 100] [--connections 8]

Each connection is kept alive and sends its share of the batches one after another. Every answer
must be 200 with its batch's lines counted as read; the script stops at the first that is not.
Prints one JSON object: events, requests, seconds, events_per_second, stored (the sum of the
answers' counts), duplicates, quarantined.
"""
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlparse


def main():
    args = sys.argv[1:]
    options = {"--batch": 100, "--connections": 8}
    positional = []
    while args:
        arg = args.pop(0)
        if arg in options:
            options[arg] = int(args.pop(0))
        else:
            positional.append(arg)
    url, token, path = positional
    target = urlparse(url)
    with open(path, "rb") as source:
        lines = source.read().splitlines(keepends=True)
    size = options["--batch"]
    bodies = [b"".join(lines[i:i + size]) for i in range(0, len(lines), size)]
    connections = options["--connections"]
    totals = {"stored": 0, "duplicates": 0, "identical": 0, "quarantined": 0, "requests": 0}
    failures = []
    lock = threading.Lock()

    def send(share):
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
        headers = {"Authorization": "Bearer " + token, "Content-Type": "application/x-ndjson"}
        for body in share:
            if failures:
                return
            connection.request("POST", "/v1/events", body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read()
            if answer.status != 200:
                failures.append("%d %s" % (answer.status, text[:500].decode(errors="replace")))
                return
            counts = json.loads(text)
            if counts.get("rows_read") != body.count(b"\n"):
                failures.append("a batch of %d lines was read as %s" % (body.count(b"\n"), counts.get("rows_read")))
                return
            with lock:
                totals["requests"] += 1
                for key in ("stored", "duplicates", "identical", "quarantined"):
                    totals[key] += counts.get(key, 0)
        connection.close()

    threads = [threading.Thread(target=send, args=(bodies[i::connections],)) for i in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - start
    if failures:
        print("POST /v1/events failed: " + failures[0], file=sys.stderr)
        sys.exit(1)
    totals.update(events=len(lines), seconds=round(seconds, 3), events_per_second=round(len(lines) / seconds))
    print(json.dumps(totals))


if __name__ == "__main__":
    main()
