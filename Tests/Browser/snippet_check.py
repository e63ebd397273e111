"""verdict.js, the website snippet, in headless Chromium against a live `verdict serve`.

    python snippet_check.py VERDICT WORKDIR

A contractor's test page, served from its own origin (allowed by `server.cors`), loads the
snippet as shipped (plugins/web/verdict.js), which fetches the flags (OFREP bulk) for its visitor
and shows the variant; a click sends an event with sendBeacon under an ingest-only token. Checks:
the variant shown is the server's for that visitor; the snippet's own bucketing equals
docs/flags.md's test vectors and the server's answers for 200 visitors; the click lands in the
store with its change_id and variant; no console error. Exits non-zero on the first failure.
"""
import functools
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

VERDICT, WORK = sys.argv[1], sys.argv[2]
REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHOP = os.path.join(WORK, "shop")
SITE = os.path.join(WORK, "site")


def verdict(*args):
    done = subprocess.run([VERDICT, *args], cwd=SHOP if os.path.isdir(SHOP) else WORK, capture_output=True, text=True,
                          env=dict(os.environ, NO_COLOR="1", VERDICT_ACTOR="dana"))
    if done.returncode not in (0, 3):
        sys.exit(f"verdict {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def fail(message):
    sys.exit(f"FAIL: {message}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The website: its own origin, with the snippet as shipped.
site_port = free_port()
origin = f"http://127.0.0.1:{site_port}"
os.makedirs(SITE)
shutil.copy(os.path.join(REPOSITORY, "plugins", "web", "verdict.js"), SITE)

verdict("init", "shop", "--name", "Brightspark Electric", "--time-zone", "America/Chicago")
settings = os.path.join(SHOP, "verdict.lua")
text = open(settings).read().replace("return workspace {", "return workspace {\n  server = { cors = { \"%s\" } }," % origin, 1)
open(settings, "w").write(text)
verdict("new", "book-now", "--template", "conversion", "--change-id", "CHG-0401")
verdict("start", "book-now", "--accept-underpowered")
token = verdict("token", "create", "website", "--scope", "ingest").strip().split("\n")[-1]

server = subprocess.Popen([VERDICT, "serve", "--port", "0", "--stop-after", "90", "--rate-limit", "0"], cwd=SHOP,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
match = re.search(r"http://127\.0\.0\.1:(\d+)/", server.stdout.readline())
if not match:
    fail("verdict serve did not start")
api = f"http://127.0.0.1:{match.group(1)}"

page = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Brightspark Electric</title><link rel="icon" href="data:,"></head>
<body><h1>Book an electrician</h1><p>Offer: <span id="offer">loading</span></p>
<button id="book" type="button">Book now</button>
<script src="verdict.js"></script>
<script>
Verdict.init({ server: "%s", token: "%s", cohort: "new_customer", visitor: "visitor-7f3a9c" }).then(function (v) {
  window.client = v;
  document.getElementById("offer").textContent = v.variant("book_now_button", "off");
  document.getElementById("book").onclick = function () {
    window.sent = v.track("book_now_click", { flag: "book_now_button", status: "success" });
  };
  document.body.setAttribute("data-ready", "1");
}, function (error) { document.body.setAttribute("data-error", String(error)); });
</script></body></html>
""" % (api, token)
open(os.path.join(SITE, "index.html"), "w").write(page)
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


handler = functools.partial(Quiet, directory=SITE)
site = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), handler)
threading.Thread(target=site.serve_forever, daemon=True).start()


def ofrep(key):
    request = urllib.request.Request(f"{api}/ofrep/v1/evaluate/flags/book_now_button", method="POST",
                                     data=json.dumps({"context": {"targetingKey": key, "cohort": "new_customer"}}).encode())
    return json.load(urllib.request.urlopen(request))


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu"):
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get(origin + "/index.html")
    for _ in range(100):
        if driver.execute_script("return document.body.getAttribute('data-ready') || document.body.getAttribute('data-error')"):
            break
        time.sleep(0.1)
    error = driver.execute_script("return document.body.getAttribute('data-error')")
    if error:
        fail(f"the snippet could not fetch the flags: {error}")
    shown = driver.find_element("id", "offer").text
    expected = ofrep("visitor-7f3a9c")["variant"]
    if shown != expected:
        fail(f"the page shows {shown!r}; the server serves {expected!r} to this visitor")
    print(f"variant: the page shows {shown!r} for visitor-7f3a9c, as the server's OFREP answer")

    # The snippet's bucketing: docs/flags.md's vectors, and the server's answers for 200 visitors.
    vectors = re.findall(r"^\| `([^`]+)` \| `\"([^\"]*)\"` \| ([0-9.]+) \| ([0-9.]+) \| (\w+) \|$",
                         open(os.path.join(REPOSITORY, "docs", "flags.md")).read(), re.M)
    if len(vectors) < 4:
        fail(f"found {len(vectors)} test vectors in docs/flags.md")
    for seed, key, share, bucket, arm in vectors:
        got = driver.execute_script("return [Verdict.bucket(arguments[0], arguments[1]), Verdict.assign(arguments[0], arguments[1], arguments[2])]",
                                    seed, key, float(share))
        if abs(got[0] - float(bucket)) > 1e-9 or got[1] != arm:
            fail(f"{seed} {key} {share}: the snippet gives {got}, docs/flags.md {bucket} {arm}")
    keys = [f"visitor-{i}" for i in range(200)]
    local = driver.execute_script("return arguments[0].map(function (k) { return Verdict.assign('CHG-0401', k, 0.5); })", keys)
    for key, arm in zip(keys, local):
        served = ofrep(key)["variant"]
        if (arm == "treatment") != (served == "on"):
            fail(f"{key}: the snippet assigns {arm}, the server serves {served}")
    print(f"bucketing: {len(vectors)} vectors of docs/flags.md and 200 visitors, the snippet's arm is the server's")

    # The click: an event with the change and the variant, sent by sendBeacon, stored.
    driver.find_element("id", "book").click()
    if driver.execute_script("return window.sent") is not True:
        fail("sendBeacon did not queue the event")
    stored = None
    for _ in range(100):
        listed = json.loads(verdict("events", "--event", "book_now_click", "--list", "--json"))
        events = listed if isinstance(listed, list) else listed.get("events", [])
        if events:
            stored = events
            break
        time.sleep(0.1)
    if not stored:
        fail("the click's event never reached the store")
    event = stored[0]
    text = json.dumps(event)
    if "CHG-0401" not in text or f'"{shown}"' not in text or "visitor-7f3a9c" not in text:
        fail(f"the stored event lacks its change, variant or visitor: {text}")
    if not re.search(r'"web-[0-9a-z]{8,}-[0-9a-f]{12}"', text):
        fail(f"the stored event has no event_id of the snippet's (web-, the time, 12 hex digits): {text}")
    print(f"click: stored with change_id CHG-0401, version_flag {shown}, user visitor-7f3a9c, its own event_id (sendBeacon, ingest token)")

    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    if errors:
        fail(f"console errors: {errors}")
    print("console: no errors")
finally:
    driver.quit()
    server.terminate()
    server.wait(timeout=30)
    site.shutdown()
print("ok")
