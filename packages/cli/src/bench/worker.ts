/**
 * Runs one benchmark case in this process and prints its result as JSON on
 * the last line of stdout: `node dist/bench/worker.js <group/engine/name> <timeMs> <minIterations>`.
 * The harness starts one per case (RunOptions.isolate), so every case starts
 * from a fresh heap, fresh compiled code and no leftover threads.
 */
import { loadCases } from './cases.js';
import { caseKey, runCase } from './harness.js';

const [key, time, minIterations] = process.argv.slice(2);
const c = (await loadCases()).find((k) => caseKey(k) === key);
if (!c) {
  console.error(`no benchmark case ${key ?? '(none given)'}`);
  process.exit(1);
}
const result = await runCase(c, { timeMs: Number(time), minIterations: Number(minIterations) });
process.stdout.write(`\n${JSON.stringify(result)}\n`);
// gpu.js's worker threads or a GL context must not keep the process alive
process.exit(0);
