"""The owner decides from `verdict serve`'s live dashboard, in headless Chromium.

    python decide_check.py VERDICT WORKDIR

A workspace with two changes: CHG-0501 running, CHG-0502 kept (early, from the command line).
The page, opened with a read token, offers no decision until someone signs in with a token. A
read-only token is refused by the server, and the page says so. Signed in with an admin token,
the owner rolls the kept change back with a note: the server records it through the same Core
call as `verdict decide` (a reversal of the keep, by the token's name), the page reloads and shows
it, and flags.json has the flag off. The admin token never appears in an address the browser
requested, in the page, or in the server's log. No console error. Exits non-zero on the first
failure.
"""
import json
import os
import re
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import Select

VERDICT, WORK = sys.argv[1], sys.argv[2]
SHOP = os.path.join(WORK, "shop")


def verdict(*args):
    done = subprocess.run([VERDICT, *args], cwd=SHOP if os.path.isdir(SHOP) else WORK, capture_output=True, text=True,
                          env=dict(os.environ, NO_COLOR="1", VERDICT_ACTOR="dana"))
    if done.returncode not in (0, 3):
        sys.exit(f"verdict {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def fail(message):
    sys.exit(f"FAIL: {message}")


verdict("init", "shop", "--name", "Brightspark Electric", "--time-zone", "America/Chicago")
verdict("new", "book-now", "--template", "conversion", "--change-id", "CHG-0501")
verdict("new", "reminders", "--template", "no-show", "--change-id", "CHG-0502")
verdict("start", "book-now", "--accept-underpowered")
verdict("start", "reminders", "--accept-underpowered", "--force")
verdict("decide", "CHG-0502", "keep", "--early", "--note", "the office likes it")
reader = verdict("token", "create", "office", "--scope", "read").strip().split("\n")[-1]
admin = verdict("token", "create", "dana-admin", "--scope", "read,admin").strip().split("\n")[-1]
if not admin.startswith("vdt_") or not reader.startswith("vdt_"):
    fail(f"no token secrets: {reader!r} {admin!r}")

log_path = os.path.join(WORK, "serve.log")
log = open(log_path, "w")
server = subprocess.Popen([VERDICT, "serve", "--port", "0", "--stop-after", "90", "--rate-limit", "0"], cwd=SHOP,
                          stdout=subprocess.PIPE, stderr=log, text=True)
match = re.search(r"http://127\.0\.0\.1:(\d+)/", server.stdout.readline())
if not match:
    fail("verdict serve did not start")
base = f"http://127.0.0.1:{match.group(1)}"

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu"):
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_for(script, what, seconds=10):
    for _ in range(seconds * 10):
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    fail(f"timed out waiting for {what}")


def form(change):
    return driver.find_element("css selector", f'form.decide[data-change="{change}"]')


try:
    driver.get(f"{base}/?token={reader}")
    if "Brightspark Electric" not in driver.title:
        fail(f"the live dashboard did not load: {driver.title!r}")
    # Nothing to decide with until signed in.
    if form("CHG-0502").is_displayed() or not driver.find_element("id", "signin").is_displayed():
        fail("a decision form shows before anyone signed in")
    options_kept = [o.get_attribute("value") for o in Select(form("CHG-0502").find_element("name", "decision")).options]
    if options_kept != ["rollback"]:
        fail(f"a kept change offers {options_kept}; only a rollback can follow a keep")
    options_running = [o.get_attribute("value") for o in Select(form("CHG-0501").find_element("name", "decision")).options]
    if options_running != ["keep", "rollback", "extend"] or form("CHG-0501").get_attribute("data-early") != "true":
        fail(f"a running change offers {options_running}, early {form('CHG-0501').get_attribute('data-early')}")
    print("before signing in: no decision offered; the kept change offers rollback, the running one keep, rollback, extend (early)")

    # A read-only token is refused, and the page says why.
    driver.find_element("id", "admin-token").send_keys(reader)
    driver.find_element("css selector", "#signin button").click()
    kept = form("CHG-0502")
    kept.find_element("name", "note").send_keys("trying with the wrong token")
    kept.find_element("css selector", "button[type=submit]").click()
    refused = wait_for("return document.querySelector('form.decide[data-change=\"CHG-0502\"] .result.error')?.textContent",
                       "the refusal")
    if "lacks the admin scope" not in refused:
        fail(f"a read-only token's refusal reads {refused!r}")
    print(f"read-only token: {refused}")
    driver.find_element("id", "signout").click()

    # The admin signs in and rolls the kept change back, with a note.
    driver.find_element("id", "admin-token").send_keys(admin)
    driver.find_element("css selector", "#signin button").click()
    if driver.find_element("id", "admin-token").get_attribute("value"):
        fail("the token stays in the field after signing in")
    if admin in driver.page_source:
        fail("the admin token is in the page")
    kept = form("CHG-0502")
    note = kept.find_element("name", "note")
    note.clear()
    note.send_keys("no-shows came back in week 4")
    kept.find_element("css selector", "button[type=submit]").click()
    done = wait_for("return document.querySelector('form.decide[data-change=\"CHG-0502\"] .result.ok')?.textContent", "the answer")
    if done != "Recorded: CHG-0502 is now reversed.":
        fail(f"the page says {done!r}")
    print(f"rollback: {done}")
    wait_for("return document.readyState === 'complete' && !document.querySelector('form.decide[data-change=\"CHG-0502\"]')",
             "the page to reload without the kept change's form")
    chip = driver.find_element("css selector", "#change-CHG-0502 .chip").text
    if "after it was kept: a reversal" not in chip:
        fail(f"the reloaded page's chip reads {chip!r}")

    # The record: the same as `verdict decide`, by the token's name, with the note.
    status = json.loads(verdict("status", "--json"))
    state = {s["change_id"]: s["state"] for s in status}
    if state.get("CHG-0502") != "reversed" or state.get("CHG-0501") not in ("started", "running"):
        fail(f"states after the decision: {state}")
    records = json.loads(verdict("audit", "CHG-0502", "--json"))
    records = records if isinstance(records, list) else records.get("records", [])
    last = records[-1]
    details = last["details"] if isinstance(last["details"], dict) else json.loads(last["details"])
    if last["action"] != "decision" or last["actor"] != "dana-admin" or details.get("note") != "no-shows came back in week 4" \
            or details.get("reverses", {}).get("decision") != "keep":
        fail(f"the decision's record: {last}")
    flags = json.load(open(os.path.join(SHOP, "flags.json")))["flags"]
    if flags["reminder_text"]["state"] != "off":
        fail(f"flags.json: {flags['reminder_text']}")
    print("record: a reversal of the keep by dana-admin, with the note; flags.json has the flag off")

    # The admin token in no address, no log line; no console error.
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    if not any("/decision" in url for url in urls):
        fail(f"the decision's request is not among the browser's: {urls}")
    if any(admin in url for url in urls):
        fail("the admin token was in an address the browser requested")
    server.terminate()
    server.wait(timeout=30)
    log.close()
    logged = open(log_path).read()
    if admin in logged or reader in logged:
        fail("a token is in the server's log")
    if "/decision" not in logged:
        fail(f"the server's log has no line for the decision:\n{logged}")
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "403" not in e["message"]]
    if errors:
        fail(f"console errors: {errors}")
    print(f"tokens: in none of the browser's {len(urls)} requests' addresses nor the server's log; console: no errors")
finally:
    driver.quit()
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=30)
print("ok")
