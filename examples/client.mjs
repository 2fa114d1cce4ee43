// A tiny client of the native API (Node.js 18+, built-in fetch, no packages).
//   node examples/client.mjs javascript 'console.log(6*7)'
const url = process.env.RINGFENCE_URL ?? "http://127.0.0.1:2358";
const key = process.env.RINGFENCE_KEY;

export async function run(language, source, stdin = "") {
  const headers = { "Content-Type": "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(`${url}/v1/runs?wait=true`, {
    method: "POST",
    headers,
    body: JSON.stringify({ language, source, tests: [{ stdin }] }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${body.error}`);
  return body;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [language, source, stdin] = process.argv.slice(2);
  if (!language || !source) {
    console.error("usage: node client.mjs LANGUAGE SOURCE [STDIN]");
    process.exit(2);
  }
  const doc = await run(language, source, stdin ? stdin + "\n" : "");
  const test = doc.result.tests[0];
  console.log(`verdict: ${doc.verdict} tier: ${doc.tier}`);
  console.log(`stdout: ${test.run?.stdout ?? ""}`);
}
