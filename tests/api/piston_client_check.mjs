// Drives the service with the real npm piston-client (installed by test_piston_client.py).
// usage: node piston_client_check.mjs MODULE_DIR SERVER_URL
const [moduleDir, server] = process.argv.slice(2);
const { piston } = await import(`${moduleDir}/node_modules/piston-client/index.js`);
const client = piston({ server });
const fail = (msg, value) => { console.error(`FAIL ${msg}: ${JSON.stringify(value)}`); process.exit(1); };

const runtimes = await client.runtimes();
if (!Array.isArray(runtimes) || !runtimes.some(r => r.language === "python")) fail("runtimes", runtimes);

const py = await client.execute("python", "import sys\nprint(sys.argv[1:], input())", { stdin: "hi" });
if (py.run?.stdout !== "['1', '2', '3'] hi\n") fail("python", py);

const cpp = await client.execute("c++", "#include <cstdio>\nint main(){std::puts(\"ok\");}");
if (cpp.run?.stdout !== "ok\n" || !cpp.compile) fail("c++", cpp);

const slow = await client.execute("python", "while True: pass", { runTimeout: 1000 });
if (slow.run?.signal !== "SIGKILL") fail("timeout", slow);
console.log("piston-client 1.0.2: runtimes, execute (python, c++, timeout) ok");
