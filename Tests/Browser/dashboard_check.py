"""The dashboard in a real browser: headless Chromium (Debian's chromium and chromium-driver)
through Selenium, with axe-core for accessibility.

    python dashboard_check.py VERDICT WORKDIR [--screenshot PNG] [--page HTML]

Builds a workspace with the verdict binary (three changes: one evaluated with two cohorts, one
decided, one running), writes its dashboard, and checks the page as a user's browser shows it:
a screenshot that is not blank, a chip per change with its state's words, the change, cohort,
state and history filters through the URL's fragment (the cohort's figures against
`verdict report --json`), no console error, no network request, and no serious or critical axe
violation. With --page, checks that page instead (its screenshot, a chip per change, console,
network, axe) without building a workspace. Prints what it checked; exits non-zero on the first
failure.
"""

import io
import json
import os
import subprocess
import sys
import urllib.parse

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

import argparse

parser = argparse.ArgumentParser()
parser.add_argument("verdict")
parser.add_argument("work")
parser.add_argument("--screenshot")
parser.add_argument("--page")
arguments = parser.parse_args()
VERDICT, WORK, SCREENSHOT = arguments.verdict, arguments.work, arguments.screenshot
SHOP = os.path.join(WORK, "shop")


def verdict(*args, now=None):
    env = dict(os.environ, NO_COLOR="1", VERDICT_ACTOR="dana")
    if now:
        env["VERDICT_NOW"] = now
    done = subprocess.run([VERDICT, *args], cwd=SHOP if os.path.isdir(SHOP) else WORK, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"verdict {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def fail(message):
    sys.exit(f"FAIL: {message}")


def build_workspace():
    # --- A workspace: CHG-0201 (two cohorts) and CHG-0202 started 2 November, CHG-0203 on the 6th.
    verdict("init", "shop", "--name", "Brightspark Electric", "--time-zone", "America/Chicago")
    changes = [
        ("book-now", "CHG-0201", "book_now_button", '"new_customer", "returning"', 0.20, 0.30),
        ("reminder", "CHG-0202", "reminder_text", '"returning"', 0.20, 0.36),
        ("follow-up", "CHG-0203", "follow_up_call", '"new_customer"', 0.25, 0.25),
    ]
    for name, change_id, flag, cohorts, _, _ in changes:
        verdict("new", name, "--template", "conversion", "--change-id", change_id, now="2026-11-01T12:00:00-06:00")
        path = os.path.join(SHOP, "experiments", f"{name}.lua")
        text = open(path).read().replace("book_now_button", flag).replace('{ "new_customer" }', "{ " + cohorts + " }")
        text = text.replace("Book-now button on service pages", f"{name} <change> & co")  # markup must stay text
        if change_id == "CHG-0202":
            text = text.replace("lift_at_least(0.05)", "lift_at_least(0.3)")
        open(path, "w").write(text)

    lines = []
    def day(offset):
        return f"2026-11-{2 + offset:02d}"
    for name, change_id, flag, cohorts, off, on in changes:
        first = 4 if change_id == "CHG-0203" else 0
        cohort_list = [c.strip(' "') for c in cohorts.split(",")]
        for offset in range(first, 7):
            for arm, rate in (("off", off), ("on", on)):
                for i in range(120):
                    cohort = cohort_list[i % len(cohort_list)]
                    # The returning customers of CHG-0201 take to the button better: the cohorts differ.
                    r = rate + (0.15 if change_id == "CHG-0201" and cohort == "returning" and arm == "on" else 0)
                    user = f"{change_id}-{arm}-{offset}-{i}"
                    base = {"user_id": user, "user_cohort": cohort, "change_id": change_id, "version_flag": arm}
                    lines.append({"event": "quote_viewed", "timestamp": f"{day(offset)}T16:00:00Z", **base})
                    if (i * 37 % 100) < r * 100:
                        lines.append({"event": "appointment_booked", "timestamp": f"{day(offset)}T16:30:00Z", **base})
                    if arm == "on" and i < 5:
                        lines.append({"event": "book_now_click", "timestamp": f"{day(offset)}T16:10:00Z", "status": "success", **base})
                for i in range(40):
                    lines.append({"event": "booking_submit", "timestamp": f"{day(offset)}T17:00:00Z", "status": "success",
                                  "user_id": f"s-{change_id}-{arm}-{offset}-{i}", "user_cohort": cohort_list[0],
                                  "change_id": change_id, "version_flag": arm})
    for offset in range(-7, 7):
        d = (f"2026-10-{26 + offset:02d}" if offset < 0 else day(offset))
        for i in range(10 + offset % 3):
            lines.append({"event": "job_completed", "timestamp": f"{d}T20:00:00Z", "user_id": f"job-{d}-{i}",
                          "event_id": f"job-{d}-{i}", "value": 150 + i * 40})
    with open(os.path.join(WORK, "events.jsonl"), "w") as f:
        f.write("".join(json.dumps(line) + "\n" for line in lines))

    verdict("start", "book-now", "--accept-underpowered", "--at", "2026-11-02T00:00:00-06:00", now="2026-11-02T07:00:00-06:00")
    verdict("start", "reminder", "--accept-underpowered", "--force", "--at", "2026-11-02T00:00:00-06:00", now="2026-11-02T07:00:00-06:00")
    verdict("start", "follow-up", "--accept-underpowered", "--force", "--at", "2026-11-06T00:00:00-06:00", now="2026-11-06T07:00:00-06:00")
    verdict("ingest", os.path.join(WORK, "events.jsonl"), now="2026-11-09T05:00:00-06:00")
    verdict("run-all", now="2026-11-09T08:00:00-06:00")
    verdict("decide", "CHG-0202", "keep", "--note", "more bookings", now="2026-11-09T09:00:00-06:00")
    daily = verdict("daily", now="2026-11-09T09:30:00-06:00")
    if "Dashboard: dashboards/index.html" not in daily:
        fail(f"verdict daily does not print the dashboard's path:\n{daily}")
    page = os.path.join(SHOP, "dashboards", "index.html")
    dated = os.path.join(SHOP, "dashboards", "2026-11-09.html")
    if not os.path.exists(dated):
        fail("verdict daily wrote no dated copy dashboards/2026-11-09.html")
    statuses = json.loads(verdict("status", "--json", now="2026-11-09T09:30:00-06:00"))
    size = os.path.getsize(page)
    print(f"page: {size} bytes, {len(statuses)} changes")

    return page, statuses


if arguments.page:
    page, statuses = os.path.abspath(arguments.page), None
else:
    page, statuses = build_workspace()

# --- The browser.
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,1600", "--hide-scrollbars"):
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
url = "file://" + urllib.parse.quote(page)
try:
    driver.get(url)

    # A screenshot that shows something: many colours, and ink on a good part of the page.
    png = driver.get_screenshot_as_png()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.resize((image.width // 4, image.height // 4))
    pixels = list(small.get_flattened_data() if hasattr(small, 'get_flattened_data') else small.getdata())
    inked = sum(1 for p in pixels if sum(p) < 600) / len(pixels)
    colours = len(set(pixels))
    if colours < 50 or inked < 0.03:
        fail(f"the screenshot looks blank: {colours} colours, {inked:.1%} of it inked")
    print(f"screenshot: {image.width}x{image.height}, {colours} colours in a quarter-size copy, {inked:.1%} inked")
    if SCREENSHOT:
        # Small enough to commit: the top of the page, 900 px wide, 64 colours.
        top = image.crop((0, 0, image.width, min(image.height, 1500)))
        top = top.resize((900, int(top.height * 900 / top.width)), Image.LANCZOS)
        top.quantize(colors=64).save(SCREENSHOT, optimize=True)

    chips = {el.get_attribute("data-change"): el.text for el in driver.find_elements("css selector", "li.chip")}
    if statuses is None:
        articles = [el.get_attribute("data-change") for el in driver.find_elements("css selector", "article.change")]
        if sorted(chips) != sorted(articles) or not chips:
            fail(f"chips {sorted(chips)} for the changes {sorted(articles)}")
        print("chips: " + "; ".join(f"{k}: {v}" for k, v in sorted(chips.items())))
    else:
        # A chip for every change, with its state in words.
        chips = {el.get_attribute("data-change"): el.text for el in driver.find_elements("css selector", "li.chip")}
        if sorted(chips) != sorted(s["change_id"] for s in statuses):
            fail(f"chips {sorted(chips)} for changes {[s['change_id'] for s in statuses]}")
        for s in statuses:
            text = chips[s["change_id"]]
            expected = {
                "running": f"running day {s['day']} of {s['window_days']}",
                "throttled": "throttled",
                "evaluated": "awaiting decision",
                "kept": "kept",
                "rolled_back": "rolled back",
            }[s["state"]]
            if expected not in text:
                fail(f"{s['change_id']} is {s['state']}; its chip says {text!r}, not {expected!r}")
            if s.get("verdict") and s["verdict"].upper() not in text:
                fail(f"{s['change_id']}'s chip {text!r} does not give its verdict {s['verdict']}")
        print("chips: " + "; ".join(f"{k}: {v}" for k, v in sorted(chips.items())))
        if "<change>" not in driver.find_element("css selector", "li.chip[data-change=CHG-0201]").text:
            fail("a title with markup is not shown as text")

        def visible(selector):
            return [el for el in driver.find_elements("css selector", selector) if el.is_displayed()]

        def open_fragment(fragment):
            driver.get(url + "#" + fragment)
            driver.refresh()  # a fresh load: the page must read the fragment on its own

        # The change filter, through the fragment.
        open_fragment("change=CHG-0202")
        shown = [el.get_attribute("data-change") for el in visible("article.change")]
        if shown != ["CHG-0202"]:
            fail(f"#change=CHG-0202 shows {shown}")
        if driver.find_element("id", "f-change").get_attribute("value") != "CHG-0202":
            fail("the change filter's control does not follow the fragment")

        # The state filter, and the history's outcome filter.
        open_fragment("state=running")
        shown = [el.get_attribute("data-change") for el in visible("article.change")]
        running = [s["change_id"] for s in statuses if s["state"] == "running"]
        if sorted(shown) != sorted(running):
            fail(f"#state=running shows {shown}, not {running}")
        # A malformed escape in the fragment (a hand-edited or truncated link) is no error, and
        # the filters beside it still apply.
        open_fragment("cohort=%E0%A4%A&x%E0%A4=1&state=running")
        errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        if errors:
            fail(f"a malformed escape in the fragment gives console errors: {errors}")
        open_fragment("x%E0%A4=1&state=running")
        shown = [el.get_attribute("data-change") for el in visible("article.change")]
        if sorted(shown) != sorted(running):
            fail(f"#x%E0%A4=1&state=running shows {shown}, not {running}")
        open_fragment("history=lost")
        if visible("tr.decided"):
            fail("#history=lost shows a change that was kept on a pass")
        open_fragment("history=won")
        if [r.get_attribute("data-change") for r in visible("tr.decided")] != ["CHG-0202"]:
            fail("#history=won does not show CHG-0202")

        # Choosing in a control writes the fragment.
        driver.get(url)
        driver.execute_script("var s=document.getElementById('f-state');s.value='evaluated';s.dispatchEvent(new Event('change'));")
        if not driver.current_url.endswith("#state=evaluated"):
            fail(f"choosing a state gives the address {driver.current_url}")

        # The cohort filter: the figures become the cohort's, as `verdict report --json` has them.
        report = json.loads(verdict("report", "book-now", "--json", now="2026-11-09T09:30:00-06:00"))

        def rows(article):
            tables = [t for t in article.find_elements("css selector", "table.figures") if t.is_displayed()]
            if len(tables) != 1:
                fail(f"{len(tables)} figure tables shown for one cohort")
            return {r.get_attribute("data-kpi"): r for r in tables[0].find_elements("css selector", "tbody tr")}

        def same(shown, expected):
            return (shown == "" and expected is None) or (expected is not None and abs(float(shown) - expected) <= 1e-9 * max(1, abs(expected)))

        for cohort in ("new_customer", "returning"):
            open_fragment(f"cohort={cohort}")
            article = driver.find_element("id", "change-CHG-0201")
            if not article.is_displayed():
                fail(f"#cohort={cohort} hides CHG-0201, which targets it")
            expected = next(c for c in report["cohorts"] if c["cohort"] == cohort)["kpis"]
            shown = rows(article)
            for kpi in expected:
                row = shown.get(kpi["name"])
                if row is None:
                    fail(f"cohort {cohort}: no row for {kpi['name']}")
                for arm in ("control", "treatment"):
                    if not same(row.get_attribute(f"data-{arm}"), kpi["arms"][arm]["value"]):
                        fail(f"cohort {cohort}, {kpi['name']}, {arm}: page {row.get_attribute(f'data-{arm}')}, report {kpi['arms'][arm]['value']}")
                    if int(row.get_attribute(f"data-{arm}-n")) != kpi["arms"][arm]["n"]:
                        fail(f"cohort {cohort}, {kpi['name']}, {arm} n differs from the report")
                if not same(row.get_attribute("data-relative"), kpi["difference"]["relative"]):
                    fail(f"cohort {cohort}, {kpi['name']}: relative change differs from the report")
            primary = next(k for k in expected if k["role"] == "primary")
            whole = next(k for k in report["kpis"] if k["role"] == "primary")
            if primary["arms"]["treatment"]["value"] == whole["arms"]["treatment"]["value"]:
                fail(f"cohort {cohort}'s figures are the whole change's: the filter changes nothing")
            print(f"cohort {cohort}: {primary['name']} control {primary['arms']['control']['value']:.4f} "
                  f"treatment {primary['arms']['treatment']['value']:.4f}, as report --json gives them")
            hidden = [el.get_attribute("data-change") for el in driver.find_elements("css selector", "article.change")
                      if not el.is_displayed()]
            print(f"  changes hidden as not targeting {cohort}: {hidden}")

    # No console error, no request beyond the file itself.
    driver.get(url)
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    if errors:
        fail(f"console errors: {errors}")
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    outside = [r for r in requests if not r.startswith("file://") and not r.startswith("data:")]
    if outside:
        fail(f"network requests: {outside}")
    print(f"console: no errors; requests: {len(requests)}, all of the page's own file")

    # Accessibility: axe-core, as shipped in axe-selenium-python.
    from axe_selenium_python import Axe
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    summary = ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in results["violations"]) or "none"
    print(f"axe-core {driver.execute_script('return axe.version')}: {len(results['passes'])} rules passed, "
          f"violations: {summary}")
    if serious:
        fail("serious or critical accessibility violations: "
             + "; ".join(f"{v['id']}: {v['help']} ({v['nodes'][0]['target']})" for v in serious))
finally:
    driver.quit()
print("ok")
