"""Prints the flag-bucketing test vectors of docs/flags.md from GrowthBook's own Python SDK.

    python3 -m venv /tmp/gb && /tmp/gb/bin/pip install growthbook==4.0.0
    /tmp/gb/bin/python Tests/VerdictCoreTests/Fixtures/make_flag_vectors.py

Each row: seed (a change_id), targeting key, share, bucket, variant. The bucket is
gbhash(seed, key, 2); the variant is chooseVariation over getBucketRanges(2, 1, [1 - share, share]).
Paste the output into the table in docs/flags.md; the tests read the table from there.
"""
import json

from growthbook.core import chooseVariation, gbhash, getBucketRanges

CASES = [
    ("CHG-0007", "cust-1042", 0.5),
    ("CHG-0007", "cust-1043", 0.5),
    ("CHG-0007", "cust-1042", 0.1),
    ("CHG-0007", "visitor-7f3a9c", 0.5),
    ("CHG-0008", "cust-1042", 0.5),
    ("CHG-0001", "", 0.5),
    ("CHG-0001", "a", 0.5),
    ("CHG-0001", "42", 0.25),
    ("CHG-0012", "dana.whitfield@example.com", 0.5),
    ("CHG-0012", "Zoë Brontë", 0.5),
    ("CHG-0012", "👷 crew-3", 0.5),
    ("CHG-0003", "cust-0001", 1.0),
    ("CHG-0003", "cust-0001", 0.0),
    ("CHG-0003", "cust-0002", 0.9),
]

for seed, key, share in CASES:
    bucket = gbhash(seed, key, 2)
    ranges = getBucketRanges(2, 1, [1 - share, share])
    variant = "treatment" if chooseVariation(bucket, ranges) == 1 else "control"
    print(f"| `{seed}` | `{json.dumps(key, ensure_ascii=False)}` | {share} | {bucket:.4f} | {variant} |")
