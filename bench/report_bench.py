#!/usr/bin/env python3
"""The report benchmark's data and its DuckDB reference.

    report_bench.py generate ROWS OUT.csv EXPERIMENTS_DIR   # events for 20 experiments over 60 days
    report_bench.py duckdb OUT.csv [REPORTS.json]           # DuckDB: the same per-arm aggregates; prints seconds
    report_bench.py daily OUT.csv                           # DuckDB: what daily and run-all aggregate; prints seconds
    report_bench.py dashboard OUT.csv PAGE.html             # DuckDB: the dashboard's figures and daily series; prints seconds

With REPORTS.json (the output of `verdict report --all --json`), it first checks that Verdict's
per-arm figures are DuckDB's: customers and conversions, clicks, and booking errors per arm.

Each experiment CHG-0001..CHG-0020 is the conversion template (quote_viewed -> appointment_booked per
customer, daily book_now_click, booking_submit error rate) over the 60 days, arms by version_flag.
"""
import sys
import time

import numpy as np

DAYS = 60
START = np.datetime64("2026-09-01T00:00:00")


def generate(rows, path, experiments_dir):
    rng = np.random.default_rng(20261121)
    n = rows
    change = rng.integers(1, 21, n)
    flag_on = rng.random(n) < 0.5
    user = rng.integers(0, 200_000, n)
    seconds = rng.integers(0, DAYS * 86400, n)
    kind = rng.choice(5, n, p=[0.45, 0.12, 0.13, 0.25, 0.05])
    names = np.array(["quote_viewed", "appointment_booked", "book_now_click", "booking_submit", "job_completed"])
    event = names[kind]
    status = np.where((kind == 3) & (rng.random(n) < 0.02), "error:timeout", "success")
    cohort = np.where(user % 3 == 0, "returning", "new_customer")
    stamp = (START + seconds.astype("timedelta64[s]")).astype(str)
    with open(path, "w") as out:
        out.write("event,timestamp,change_id,version_flag,user_cohort,user_id,status\n")
        chunk = 500_000
        for start in range(0, n, chunk):
            end = min(n, start + chunk)
            lines = [
                f"{event[i]},{stamp[i]}Z,CHG-{change[i]:04d},{'on' if flag_on[i] else 'off'},{cohort[i]},u{change[i]}-{user[i]},{status[i]}\n"
                for i in range(start, end)
            ]
            out.writelines(lines)
    template = open(sys.argv[5]).read() if len(sys.argv) > 5 else None
    for number in range(1, 21):
        text = template.replace("CHG-0001", f"CHG-{number:04d}").replace('cohorts    = { "new_customer" },', "")
        with open(f"{experiments_dir}/e{number:02d}.lua", "w") as out:
            out.write(text)


QUERIES = """
-- per experiment and arm: customers who viewed a quote, and of them who booked
SELECT change_id, version_flag, COUNT(*) AS customers, SUM(converted) AS converted FROM (
  SELECT change_id, version_flag, user_id, MAX(event = 'appointment_booked')::INT AS converted,
         MAX(event = 'quote_viewed')::INT AS started
  FROM events WHERE event IN ('quote_viewed', 'appointment_booked') AND day BETWEEN ? AND ?
  GROUP BY change_id, version_flag, user_id) WHERE started = 1 GROUP BY change_id, version_flag;
-- daily successful clicks per arm
SELECT change_id, version_flag, COUNT(*) FROM events
WHERE event = 'book_now_click' AND status = 'success' AND day BETWEEN ? AND ? GROUP BY change_id, version_flag;
-- error rate per arm
SELECT change_id, version_flag, COUNT(*), SUM((status LIKE 'error%')::INT) FROM events
WHERE event = 'booking_submit' AND day BETWEEN ? AND ? GROUP BY change_id, version_flag;
-- customers per arm (sample ratio)
SELECT change_id, version_flag, COUNT(DISTINCT user_id) FROM events WHERE day BETWEEN ? AND ? GROUP BY change_id, version_flag;
"""


def duckdb_reference(path, reports=None):
    import duckdb
    con = duckdb.connect()
    con.execute(f"CREATE TABLE events AS SELECT *, CAST(timestamp AS DATE) - DATE '1970-01-01' AS day FROM read_csv_auto('{path}')")
    first = (np.datetime64("2026-09-01") - np.datetime64("1970-01-01")).astype(int)
    last = first + 6
    statements = [s for s in QUERIES.split(";") if s.strip() and "SELECT" in s]
    start = time.perf_counter()
    results = [con.execute(statement, [int(first), int(last)]).fetchall() for statement in statements]
    elapsed = time.perf_counter() - start
    if reports:
        check(results, reports)
    print(f"{elapsed:.3f}")


def duckdb_daily_reference(path):
    """The aggregates `verdict daily` (on the 4th: the safety checks at 24, 48 and 72 hours, each
    a full report over the days before it, and the leading indicator day by day) and `verdict
    run-all` (on the 8th: the week's report) compute, in DuckDB; prints seconds."""
    import duckdb
    con = duckdb.connect()
    con.execute(f"CREATE TABLE events AS SELECT *, CAST(timestamp AS DATE) - DATE '1970-01-01' AS day FROM read_csv_auto('{path}')")
    first = int((np.datetime64("2026-09-01") - np.datetime64("1970-01-01")).astype(int))
    statements = [s for s in QUERIES.split(";") if s.strip() and "SELECT" in s]
    daily_clicks = """SELECT change_id, version_flag, day, COUNT(*) FROM events
        WHERE event = 'book_now_click' AND status = 'success' AND day BETWEEN ? AND ? GROUP BY change_id, version_flag, day"""
    start = time.perf_counter()
    for last in (first, first + 1, first + 2, first + 6):
        for statement in statements:
            con.execute(statement, [first, last]).fetchall()
    con.execute(daily_clicks, [first, first + 2]).fetchall()
    print(f"{time.perf_counter() - start:.3f}")


def duckdb_dashboard_reference(path, page):
    """What the dashboard of the 8th shows for the 20 experiments, in DuckDB: each window's
    per-arm figures, the primary KPI (customers who viewed a quote and booked, that day) and the
    leading indicator per change, arm and day, and the business's bookings and completed jobs in
    the week before against the week before that. Checks the page's figures first; prints seconds."""
    import duckdb
    import re
    con = duckdb.connect()
    con.execute(f"CREATE TABLE events AS SELECT *, CAST(timestamp AS DATE) - DATE '1970-01-01' AS day FROM read_csv_auto('{path}')")
    first = int((np.datetime64("2026-09-01") - np.datetime64("1970-01-01")).astype(int))
    last = first + 6
    page_day = first + 7
    statements = [s for s in QUERIES.split(";") if s.strip() and "SELECT" in s]
    daily_conversion = """SELECT change_id, version_flag, day, COUNT(*), SUM(converted) FROM (
        SELECT change_id, version_flag, day, user_id, MAX(event = 'appointment_booked')::INT AS converted,
               MAX(event = 'quote_viewed')::INT AS started
        FROM events WHERE event IN ('quote_viewed', 'appointment_booked') AND day BETWEEN ? AND ?
        GROUP BY change_id, version_flag, day, user_id) WHERE started = 1 GROUP BY change_id, version_flag, day"""
    daily_clicks = """SELECT change_id, version_flag, day, COUNT(*) FROM events
        WHERE event = 'book_now_click' AND status = 'success' AND day BETWEEN ? AND ? GROUP BY change_id, version_flag, day"""
    impact = """SELECT day >= ?, event, COUNT(*) FROM events WHERE event IN ('appointment_booked', 'job_completed')
        AND day BETWEEN ? AND ? GROUP BY 1, 2"""
    start = time.perf_counter()
    window = [con.execute(statement, [first, last]).fetchall() for statement in statements]
    con.execute(daily_conversion, [first, last]).fetchall()
    con.execute(daily_clicks, [first, last]).fetchall()
    con.execute(impact, [page_day - 7, page_day - 14, page_day - 1]).fetchall()
    elapsed = time.perf_counter() - start
    customers = {(change, flag): n for change, flag, n, _ in window[0]}
    text = open(page).read()
    checked = 0
    for article in text.split('<article class="change" id="change-')[1:]:
        change = article[:8]
        row = re.search(r'data-role="primary" data-control="[^"]*" data-treatment="[^"]*" data-control-n="(\d+)" data-treatment-n="(\d+)"', article)
        if not row or (int(row.group(1)), int(row.group(2))) != (customers[(change, "off")], customers[(change, "on")]):
            sys.exit(f"{change}: the page's customers per arm {row and row.groups()} are not DuckDB's "
                     f"{customers[(change, 'off')], customers[(change, 'on')]}")
        checked += 1
    if checked != 20:
        sys.exit(f"the page shows {checked} experiments, not 20")
    print(f"{elapsed:.3f}")


def check(results, path):
    """Verdict's per-arm figures must be DuckDB's, or the times compare different work."""
    import json
    conversion, clicks, errors, _ = results
    expected = {}
    for change, flag, customers, converted in conversion:
        expected[(change, flag, "primary")] = (customers, converted / customers)
    for change, flag, count in clicks:
        expected[(change, flag, "leading")] = (count, None)
    for change, flag, count, failed in errors:
        expected[(change, flag, "guardrail")] = (count, failed / count)
    for report in json.load(open(path)):
        for kpi in report["kpis"]:
            for arm, flag in (("control", "off"), ("treatment", "on")):
                n, value = expected[(report["change_id"], flag, kpi["role"])]
                got = kpi["arms"][arm]
                if got["n"] != n or (value is not None and abs(got["value"] - value) > 1e-12):
                    sys.exit(f"{report['change_id']} {kpi['role']} {arm}: verdict {got}, DuckDB n={n} value={value}")


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "daily":
        duckdb_daily_reference(sys.argv[2])
    elif sys.argv[1] == "dashboard":
        duckdb_dashboard_reference(sys.argv[2], sys.argv[3])
    else:
        duckdb_reference(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
