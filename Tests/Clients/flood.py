"""Load on a live `verdict serve`: CLIENTS connections at once, each sending EACH OFREP
evaluations in turn on one kept-alive connection; prints the statuses counted as JSON.

    python flood.py PORT CLIENTS EACH
"""
import http.client
import json
import sys
import threading
from collections import Counter

port, clients, each = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
counts = Counter()
lock = threading.Lock()


def client(number):
    local = Counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for request in range(each):
        body = json.dumps({"context": {"targetingKey": f"v-{number}-{request}", "cohort": "new_customer"}})
        try:
            connection.request("POST", "/ofrep/v1/evaluate/flags/book_now_button", body=body)
            response = connection.getresponse()
            response.read()
            local[response.status] += 1
        except Exception:
            local[0] += 1
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    with lock:
        counts.update(local)


threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({str(k): v for k, v in counts.items()}))
