/** The benchmark harness (for the `crossbar bench` command and tools/bench.mjs). */
export * from './harness.js';
export { loadCases } from './cases.js';
export { main as benchMain } from './main.js';
