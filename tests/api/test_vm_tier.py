"""The micro-VM tier behind the service: a tenant configured `isolation: "vm"`
gets only VMs, a job may ask for one, and the tier shows in results, metrics
and the audit log; with the tier disabled such jobs are refused, never
downgraded.

The VM part boots real VMs (TCG where there is no KVM) from the image that
tests/vm builds (fixture vm_image_build, $RINGFENCE_VM_TEST_IMAGE); it is
skipped when that image is absent or the host cannot run VMs."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, binary  # noqa: E402
from ws_client import HandshakeRefused, WebSocket  # noqa: E402

IMAGE = os.environ.get("RINGFENCE_VM_TEST_IMAGE", "")


def vm_host_problem():
    if not IMAGE or not os.path.exists(os.path.join(IMAGE, "manifest.json")):
        return "no VM test image (RINGFENCE_VM_TEST_IMAGE=%r)" % IMAGE
    if os.geteuid() != 0:
        return "not root"
    if not shutil.which("qemu-system-x86_64"):
        return "qemu-system-x86 is not installed"
    return ""


def hostile_tenant():
    return {"name": "hostile", "api_key_sha256": [hashlib.sha256(b"hostile-key").hexdigest()], "isolation": "vm"}


HOSTILE = {"Authorization": "Bearer hostile-key"}
ECHO = {"language": "python3", "source": "print(input())", "tests": [{"stdin": "vm\n", "expected_output": "vm\n"}]}


class VmDisabled(unittest.TestCase):
    def test_vm_jobs_are_refused_not_downgraded(self):
        with Server(config={"tenants": [{"name": "local"}, hostile_tenant()]}) as s:
            r = s.post("/v1/runs", ECHO, headers=HOSTILE)
            self.assertEqual(r.status, 503, r)
            self.assertIn("runs only in the micro-VM tier", r.json()["error"])
            self.assertIn("vm.enabled is false", r.json()["error"])
            r = s.post("/v1/runs", dict(ECHO, isolation="vm"))
            self.assertEqual(r.status, 422, r)
            self.assertIn("never downgraded", r.json()["error"])
            r = s.post("/submissions?wait=true", {"source_code": "print(1)", "language_id": 71},
                       headers={"X-Auth-Token": "hostile-key"})
            self.assertEqual(r.status, 422, r)
            self.assertIn("micro-VM", json.dumps(r.json()))
            r = s.post("/api/v2/execute", {"language": "python", "version": "*", "files": [{"content": "print(1)"}]},
                       headers=HOSTILE)
            self.assertEqual(r.status, 503, r)
            self.assertIn("micro-VM", r.json()["message"])


def kvm_usable():
    """The service's own answer (`ringfence check`): a /dev/kvm can be there
    and still be unfit (served by kvm_pvm, no hardware virtualization)."""
    out = subprocess.run([binary(), "check", "--json"], capture_output=True, text=True).stdout
    findings = json.loads(out)["findings"]
    return any(f["name"].startswith("KVM") and f["ok"] for f in findings)


class VmWithoutKvm(unittest.TestCase):
    """vm.enabled without vm.allow_tcg on a host without KVM: the service runs,
    the hostile tenant's jobs are refused with the reason, never run in a process."""

    def test_hostile_jobs_refused_without_kvm(self):
        if kvm_usable():
            self.skipTest("this host has KVM: the tier starts")
        cfg = {"tenants": [{"name": "local"}, hostile_tenant()], "vm": {"enabled": True}}
        with Server(config=cfg) as s:
            r = s.post("/v1/runs?wait=true", ECHO, headers=HOSTILE)
            self.assertEqual(r.status, 503, r)
            error = r.json()["error"]
            self.assertIn("the VM tier did not start", error)
            self.assertIn("needs KVM", error)
            self.assertIn("never downgraded", error)
            # The process tenant is unaffected.
            r = s.post("/v1/runs?wait=true", ECHO)
            self.assertEqual((r.status, r.json()["tier"], r.json()["verdict"]), (200, "process", "accepted"), r)
            self.assertNotIn('tier="vm"', s.get("/metrics").body)


class VmEnabled(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        problem = vm_host_problem()
        if problem:
            raise unittest.SkipTest(problem)
        cfg = {"tenants": [{"name": "local"}, hostile_tenant()],
               "vm": {"enabled": True, "allow_tcg": True, "image_dir": IMAGE}}
        cls.server = Server(config=cfg).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_vm_only_tenant_and_job_asking_for_vm(self):
        s = self.server
        # The tenant's jobs go to the VM tier without asking.
        r = s.post("/v1/runs?wait=true", ECHO, headers=HOSTILE)
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertEqual(doc["tier"], "vm")
        self.assertEqual(doc["verdict"], "accepted", doc)
        self.assertEqual(doc["result"]["tier"], "vm")
        self.assertIn(doc["result"]["vm_accel"], ("kvm", "tcg"))
        self.assertEqual(doc["result"]["vm"]["isolated"], doc["result"]["vm_accel"] == "kvm")
        # Any tenant's job may ask for a VM; the verdict comes from the guest's judge.
        wrong = dict(ECHO, isolation="vm", tests=[{"stdin": "vm\n", "expected_output": "process\n"}])
        r = s.post("/v1/runs?wait=true", wrong)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["tier"], r.json()["verdict"]), ("vm", "wrong_answer"))
        accel = doc["result"]["vm_accel"]

        metrics = s.get("/metrics").body
        self.assertIn('ringfence_tier_available{tier="vm",accel="%s"} 1' % accel, metrics)
        self.assertIn('verdict="accepted",language="python3",tier="vm"', metrics)
        self.assertIn('verdict="wrong_answer",language="python3",tier="vm"', metrics)
        with open(os.path.join(s.data_dir, "logs", "audit.log")) as f:
            records = [json.loads(line) for line in f if line.strip()]
        jobs = [x for x in records if x["event"] == "job" and x["job"] == doc["id"]]
        self.assertEqual(len(jobs), 1, records)
        self.assertEqual((jobs[0]["tier"], jobs[0]["vm_accel"], jobs[0]["tenant"]), ("vm", accel, "hostile"))
        sandboxes = [x for x in records if x["event"] == "sandbox" and x["job"] == doc["id"]]
        self.assertTrue(sandboxes and all(x["tier"] == "vm" for x in sandboxes), records)

    def test_refusals_that_need_no_vm(self):
        s = self.server
        r = s.post("/v1/runs", {"language": "java", "source": "class Main {}"}, headers=HOSTILE)
        self.assertEqual(r.status, 422, r)
        self.assertIn("not in the VM image", r.json()["error"])
        with self.assertRaises(HandshakeRefused) as refused:
            WebSocket(s.port, "/api/v2/connect", headers=HOSTILE)
        self.assertEqual(refused.exception.status, 503)
        self.assertIn("not available in the VM tier", refused.exception.body)


if __name__ == "__main__":
    unittest.main(verbosity=2)
