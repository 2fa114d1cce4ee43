#!/usr/bin/env python3
"""A tiny client of the native API (Python 3 standard library only).

    python3 examples/client.py python3 'print(input()[::-1])' 'abc'
"""
import json
import os
import sys
import urllib.request

URL = os.environ.get("RINGFENCE_URL", "http://127.0.0.1:2358")
KEY = os.environ.get("RINGFENCE_KEY")


def run(language, source, stdin="", expected=None):
    test = {"stdin": stdin}
    if expected is not None:
        test["expected_output"] = expected
    body = json.dumps({"language": language, "source": source, "tests": [test]}).encode()
    req = urllib.request.Request(URL + "/v1/runs?wait=true", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    if KEY:
        req.add_header("Authorization", "Bearer " + KEY)
    try:
        with urllib.request.urlopen(req, timeout=180) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        raise SystemExit("HTTP %d: %s" % (e.code, e.read().decode()))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    doc = run(sys.argv[1], sys.argv[2], sys.argv[3] + "\n" if len(sys.argv) > 3 else "")
    test = doc["result"]["tests"][0]
    print("verdict:", doc["verdict"], "tier:", doc["tier"])
    print("stdout:", (test.get("run") or {}).get("stdout", ""))
