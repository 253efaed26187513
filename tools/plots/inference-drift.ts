/**
 * Output error of an analog layer over time after programming (PCM-like noise
 * model of InferenceRPUConfig), with and without global drift compensation, on
 * the ndarray engine. Writes docs/img/inference-drift.svg and prints the numbers
 * as a Markdown table (docs/inference.md shows both).
 *
 *   npx tsx --conditions=source tools/plots/inference-drift.ts
 *
 * (`--conditions=source` makes the packages load from their TypeScript sources,
 * as the tests do, so no build is needed.)
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InferenceRPUConfig, RandomStream, getBackend } from '../../packages/core/src/index.js';
import '../../packages/backend-ndarray/src/index.js';

const OUT = 64;
const IN = 128;
const BATCH = 100;
const REPS = 10;
/** Seconds after programming; the log axis starts at 1 s. */
const TIMES = [1, 10, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400];

interface Curve {
  label: string;
  color: string;
  rpuConfig: InferenceRPUConfig;
  mean: number[];
  std: number[];
}

// Weights ~ N(0, 0.3²) and inputs ~ U(−1, 1), drawn from the same counter-based generator the engines use.
const weights = new RandomStream(2024, 900, 0).fillNormal(new Float32Array(OUT * IN)).map((v) => Math.fround(0.3 * v));
const inputs = new RandomStream(2024, 901, 0).fillUniform(new Float32Array(BATCH * IN)).map((u) => Math.fround(2 * u - 1));

/** The ideal output W x in double. */
const ideal = new Float64Array(BATCH * OUT);
for (let b = 0; b < BATCH; b++) {
  for (let i = 0; i < OUT; i++) {
    let s = 0;
    for (let j = 0; j < IN; j++) s += weights[i * IN + j]! * inputs[b * IN + j]!;
    ideal[b * OUT + i] = s;
  }
}
const idealNorm = Math.sqrt(ideal.reduce((s, v) => s + v * v, 0));

/** ‖y − W x‖ / ‖W x‖ over the batch. */
function relativeError(y: Float32Array): number {
  let s = 0;
  for (let k = 0; k < y.length; k++) s += (y[k]! - ideal[k]!) ** 2;
  return Math.sqrt(s) / idealNorm;
}

const curves: Curve[] = [
  { label: 'default forward IO, global drift compensation', color: '#1f77b4', rpuConfig: new InferenceRPUConfig(), mean: [], std: [] },
  { label: 'default forward IO, no compensation', color: '#d62728', rpuConfig: new InferenceRPUConfig({ driftCompensation: null }), mean: [], std: [] },
  { label: 'perfect forward IO, global drift compensation', color: '#2ca02c', rpuConfig: new InferenceRPUConfig({ forward: { isPerfect: true } }), mean: [], std: [] },
];

const backend = await getBackend('ndarray');
for (const curve of curves) {
  const errors = TIMES.map(() => [] as number[]);
  for (let rep = 0; rep < REPS; rep++) {
    const tile = await backend.createTile({ outSize: OUT, inSize: IN, rpuConfig: curve.rpuConfig, seed: 100 + rep });
    await tile.setWeights(weights);
    await tile.programWeights();
    for (let k = 0; k < TIMES.length; k++) {
      await tile.driftWeights(TIMES[k]!);
      errors[k]!.push(relativeError(await tile.forward(inputs, BATCH, { isTest: true })));
    }
  }
  for (const e of errors) {
    const m = e.reduce((s, v) => s + v, 0) / e.length;
    curve.mean.push(m);
    curve.std.push(Math.sqrt(e.reduce((s, v) => s + (v - m) ** 2, 0) / (e.length - 1)));
  }
}

// ------------------------------------------------------------------ the table

const timeLabel = (t: number): string =>
  t >= 365 * 86400 ? `${t / (365 * 86400)} y` : t >= 86400 ? `${t / 86400} d` : t >= 3600 ? `${t / 3600} h` : t >= 60 ? `${t / 60} min` : `${t} s`;
console.log(`| t_inference | ${curves.map((c) => c.label).join(' | ')} |`);
console.log(`|---|${curves.map(() => '---').join('|')}|`);
TIMES.forEach((t, k) => {
  console.log(`| ${timeLabel(t)} | ${curves.map((c) => `${(100 * c.mean[k]!).toFixed(1)} % ± ${(100 * c.std[k]!).toFixed(1)}`).join(' | ')} |`);
});

// ------------------------------------------------------------------ the SVG

const W = 720;
const H = 440;
const M = { left: 70, right: 20, top: 40, bottom: 130 };
const pw = W - M.left - M.right;
const ph = H - M.top - M.bottom;
const x0 = Math.log10(TIMES[0]!);
const x1 = Math.log10(TIMES[TIMES.length - 1]!);
const yMax = Math.ceil((Math.max(...curves.flatMap((c) => c.mean.map((m, k) => m + c.std[k]!))) * 100) / 10) * 10;
const px = (t: number): number => M.left + ((Math.log10(t) - x0) / (x1 - x0)) * pw;
const py = (e: number): number => M.top + ph - ((100 * e) / yMax) * ph;
const f = (v: number): string => v.toFixed(1);

const parts: string[] = [];
parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">Output error after PCM programming and drift (${OUT}×${IN} tile, ${REPS} programmings)</text>`);
for (let d = Math.ceil(x0); d <= Math.floor(x1); d++) {
  const x = px(10 ** d);
  parts.push(`<line x1="${f(x)}" y1="${M.top}" x2="${f(x)}" y2="${M.top + ph}" stroke="#ddd"/>`);
  parts.push(`<text x="${f(x)}" y="${M.top + ph + 16}" text-anchor="middle">10<tspan dy="-5" font-size="9">${d}</tspan></text>`);
}
for (let v = 0; v <= yMax; v += 10) {
  const y = py(v / 100);
  parts.push(`<line x1="${M.left}" y1="${f(y)}" x2="${M.left + pw}" y2="${f(y)}" stroke="#ddd"/>`);
  parts.push(`<text x="${M.left - 6}" y="${f(y + 4)}" text-anchor="end">${v.toFixed(0)} %</text>`);
}
parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
parts.push(`<text x="${M.left + pw / 2}" y="${M.top + ph + 36}" text-anchor="middle">time after programming t_inference (s)</text>`);
parts.push(`<text x="18" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 18 ${M.top + ph / 2})">‖y − Wx‖ / ‖Wx‖ (test mode)</text>`);
for (const c of curves) {
  const pts = TIMES.map((t, k) => `${f(px(t))},${f(py(c.mean[k]!))}`).join(' ');
  parts.push(`<polyline points="${pts}" fill="none" stroke="${c.color}" stroke-width="2"/>`);
  TIMES.forEach((t, k) => {
    const x = px(t);
    parts.push(`<line x1="${f(x)}" y1="${f(py(c.mean[k]! - c.std[k]!))}" x2="${f(x)}" y2="${f(py(c.mean[k]! + c.std[k]!))}" stroke="${c.color}"/>`);
    parts.push(`<circle cx="${f(x)}" cy="${f(py(c.mean[k]!))}" r="3" fill="${c.color}"/>`);
  });
}
curves.forEach((c, i) => {
  const y = M.top + ph + 62 + i * 18;
  parts.push(`<line x1="${M.left}" y1="${y - 4}" x2="${M.left + 24}" y2="${y - 4}" stroke="${c.color}" stroke-width="2"/>`);
  parts.push(`<text x="${M.left + 32}" y="${y}">${c.label} (mean ± std)</text>`);
});
parts.push('</svg>');

const dir = fileURLToPath(new URL('../../docs/img/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}inference-drift.svg`, `${parts.join('\n')}\n`);
console.log(`\nwrote ${dir}inference-drift.svg`);
