"""The OpenFeature Python SDK with its OFREP provider, unchanged, against a live `verdict serve`.

    python ofrep_client_check.py VERDICT WORKDIR

Builds a workspace with three flags: book_now_button (on/off, running at 50%), dispatch_rule
(string variants nearest/senior, throttled to 10%) and reminder_text (rolled back). Then it
evaluates them through openfeature-sdk and openfeature-provider-ofrep: boolean and string values,
a flag that is not found, the throttled flag's share, and the rolled-back flag's answer. Prints
what it checked; exits non-zero on the first failure.
"""
import os
import re
import subprocess
import sys
import time

from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode

VERDICT, WORK = sys.argv[1], sys.argv[2]
SHOP = os.path.join(WORK, "shop")
NOW = "2026-11-04T09:00:00-06:00"


def verdict(*args, check=True):
    env = dict(os.environ, NO_COLOR="1", VERDICT_ACTOR="dana", VERDICT_NOW=NOW)
    done = subprocess.run([VERDICT, *args], cwd=SHOP if os.path.isdir(SHOP) else WORK, env=env, capture_output=True, text=True)
    if check and done.returncode not in (0, 3):
        sys.exit(f"verdict {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def fail(message):
    sys.exit(f"FAIL: {message}")


verdict("init", "shop", "--name", "Brightspark Electric", "--time-zone", "America/Chicago")
for name, change, flag, variants in (
    ("book-now", "CHG-0301", "book_now_button", None),
    ("dispatch", "CHG-0302", "dispatch_rule", ("nearest", "senior")),
    ("reminder", "CHG-0303", "reminder_text", None),
):
    verdict("new", name, "--template", "conversion", "--change-id", change)
    path = os.path.join(SHOP, "experiments", f"{name}.lua")
    text = open(path).read().replace("book_now_button", flag)
    if variants:
        text = text.replace('control = "off", treatment = "on"', f'control = "{variants[0]}", treatment = "{variants[1]}"')
    open(path, "w").write(text)
    verdict("start", name, "--accept-underpowered", "--force", "--at", "2026-11-02T08:00:00-06:00")
verdict("flag", "CHG-0302", "throttle", "0.1")
verdict("decide", "CHG-0303", "rollback", "--early", "--note", "the texts went out twice")

server = subprocess.Popen(
    [VERDICT, "serve", "--port", "0", "--stop-after", "90", "--rate-limit", "0"], cwd=SHOP, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    text=True, env=dict(os.environ, VERDICT_NOW=NOW))
try:
    line = server.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        fail(f"verdict serve did not start: {line!r}")
    api.set_provider(OFREPProvider(f"http://127.0.0.1:{match.group(1)}"))
    client = api.get_client()

    # A boolean flag, bucketed per visitor: the same answer each time, about half on.
    answers = []
    for i in range(400):
        context = EvaluationContext(f"visitor-{i}", {"cohort": "new_customer"})
        details = client.get_boolean_details("book_now_button", False, context)
        if details.error_code is not None or details.reason != "SPLIT" or details.variant not in ("on", "off"):
            fail(f"book_now_button for visitor-{i}: {details}")
        if details.value != (details.variant == "on"):
            fail(f"value {details.value} for variant {details.variant}")
        if details.flag_metadata.get("change_id") != "CHG-0301" or len(details.flag_metadata.get("seal", "")) != 64:
            fail(f"metadata {details.flag_metadata}")
        answers.append(details.value)
    again = client.get_boolean_details("book_now_button", False, EvaluationContext("visitor-7", {"cohort": "new_customer"}))
    if again.value != answers[7]:
        fail("the same visitor got another variant")
    share = sum(answers) / len(answers)
    if not 0.4 <= share <= 0.6:
        fail(f"book_now_button is on for {share:.1%} of 400 visitors, not about half")
    print(f"boolean: book_now_button on for {share:.1%} of 400 visitors, reason SPLIT, the same visitor the same variant")

    # A string flag, throttled to 10%: the share shows.
    senior = 0
    for i in range(2000):
        details = client.get_string_details("dispatch_rule", "nearest", EvaluationContext(f"visitor-{i}", {"cohort": "new_customer"}))
        if details.error_code is not None or details.value not in ("nearest", "senior") or details.value != details.variant:
            fail(f"dispatch_rule: {details}")
        if details.flag_metadata.get("state") != "throttled" or details.flag_metadata.get("share") != 0.1:
            fail(f"dispatch_rule metadata {details.flag_metadata}")
        senior += details.value == "senior"
    if not 0.07 <= senior / 2000 <= 0.13:
        fail(f"throttled to 10%, dispatch_rule served senior to {senior / 2000:.1%}")
    print(f"string: dispatch_rule throttled to 10% serves senior to {senior / 2000:.1%} of 2000 visitors")

    # A flag that does not exist: the default, with FLAG_NOT_FOUND.
    missing = client.get_boolean_details("no_such_flag", True, EvaluationContext("visitor-1"))
    if missing.value is not True or missing.error_code != ErrorCode.FLAG_NOT_FOUND:
        fail(f"no_such_flag: {missing}")
    print("not found: the default value, error FLAG_NOT_FOUND")

    # A rolled-back flag: off for everyone, DISABLED.
    for i in range(50):
        details = client.get_boolean_details("reminder_text", True, EvaluationContext(f"visitor-{i}", {"cohort": "new_customer"}))
        if details.value is not False or details.reason != "DISABLED" or details.flag_metadata.get("state") != "rolled_back":
            fail(f"reminder_text rolled back: {details}")
    print("rolled back: reminder_text off for every visitor, reason DISABLED, state rolled_back")
finally:
    server.terminate()
    server.wait(timeout=30)
print("ok")
