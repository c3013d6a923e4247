/** `--name value` from the command line as a number, else the fallback. */
export function numberArg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

// A closed-loop load generator: `concurrency` callers each send the next
// request as soon as the previous answer arrives, for `requests` in total.
export async function runLoad({ requests, concurrency, send }) {
  const latencies = new Float64Array(requests);
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    for (let i = next++; i < requests; i = next++) {
      const t0 = process.hrtime.bigint();
      await send(i);
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort();
  const pct = (p) => round(latencies[Math.min(requests - 1, Math.floor(p * requests))]);
  return { rps: Math.round(requests / seconds), p50Ms: pct(0.5), p99Ms: pct(0.99) };
}

export const round = (n, digits = 3) => Number(n.toFixed(digits));

/** The median run of a few, by rps: one noisy run does not decide the figure. */
export async function medianOf(runs, fn) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await fn());
  results.sort((a, b) => a.rps - b.rps);
  return results[Math.floor(runs / 2)];
}

/** Closed loop for a fixed time: `concurrency` callers send back to back until `seconds` pass. */
export async function runFor({ seconds, concurrency, send }) {
  const latencies = [];
  let errors = 0;
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (process.hrtime.bigint() < deadline) {
      const t0 = process.hrtime.bigint();
      try {
        await send();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p) => round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN);
  return { rps: Math.round(latencies.length / elapsed), p50Ms: pct(0.5), p99Ms: pct(0.99), requests: latencies.length, errors };
}
