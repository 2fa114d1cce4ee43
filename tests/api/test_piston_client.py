"""The real npm `piston-client` against the service. The package is installed
here, by the test, from the npm registry; without node/npm the test is
skipped (exit 77, CTest SKIP_RETURN_CODE)."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server  # noqa: E402

if __name__ == "__main__":
    if not shutil.which("node") or not shutil.which("npm"):
        print("node or npm missing: piston-client test skipped")
        sys.exit(77)
    modules = tempfile.mkdtemp(prefix="ringfence-npm-")
    try:
        install = subprocess.run(["npm", "install", "--prefix", modules, "--no-audit", "--no-fund",
                                  "piston-client@1.0.2"], capture_output=True, text=True, timeout=600)
        if install.returncode != 0:
            print(install.stdout, install.stderr)
            sys.exit(1)
        with Server() as s:
            check = os.path.join(os.path.dirname(os.path.abspath(__file__)), "piston_client_check.mjs")
            r = subprocess.run(["node", check, modules, "http://127.0.0.1:%d" % s.port], timeout=600)
            sys.exit(r.returncode)
    finally:
        shutil.rmtree(modules, ignore_errors=True)
