/**
 * Weight traces of pulsed devices: the response of each device model of
 * SingleRPUConfig to a train of up pulses followed by down pulses, on the
 * ndarray engine (aihwkit's "device response" plot). Three devices per model,
 * each with its own device-to-device draws (aihwkit's default spreads of the
 * bounds and of up/down; dw_min spread 10 %) and cycle-to-cycle noise. Writes
 * docs/img/training-traces.svg and prints where each model saturates
 * (docs/training.md shows both).
 *
 *   npx tsx --conditions=source tools/plots/training-traces.ts
 *
 * One pulse per update call: DeterministicImplicit with update BL management
 * gives exactly one pulse to every device for lr = the device's granularity,
 * x = 1 and d = ∓1.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ConstantStepDevice,
  ExpStepDevice,
  LinearStepDevice,
  PowStepDevice,
  SingleRPUConfig,
  SoftBoundsDevice,
  UpdateParameters,
  getBackend,
  expStepGranularity,
  powStepGranularity,
  type PulsedDevice,
} from '../../packages/core/src/index.js';
import '../../packages/backend-ndarray/src/index.js';

const DEVICES = 3;
const UP = 300;
const DOWN = 300;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c'];

interface Panel {
  title: string;
  device: PulsedDevice;
  granularity: number;
  traces: number[][];
}

const common = { dwMin: 0.01, dwMinStd: 0.2, dwMinDtod: 0.1, constructionSeed: 2 };
const expStep = new ExpStepDevice({ ...common });
const powStep = new PowStepDevice({ ...common });
const panels: Panel[] = [
  { title: 'ConstantStepDevice', device: new ConstantStepDevice({ ...common }), granularity: common.dwMin, traces: [] },
  { title: 'LinearStepDevice (γ 0.5)', device: new LinearStepDevice({ ...common, gammaUp: 0.5, gammaDown: 0.5 }), granularity: common.dwMin, traces: [] },
  { title: 'SoftBoundsDevice', device: new SoftBoundsDevice({ ...common }), granularity: common.dwMin, traces: [] },
  {
    title: 'ExpStepDevice',
    device: expStep,
    granularity: expStepGranularity(0, common.dwMin, expStep.wMin, expStep.wMax, expStep.aDown, expStep.gammaDown, expStep.a, expStep.b),
    traces: [],
  },
  { title: 'PowStepDevice (γ 1)', device: powStep, granularity: powStepGranularity(common.dwMin, powStep.powGamma), traces: [] },
];

const backend = await getBackend('ndarray');
const update = new UpdateParameters({ pulseType: 'DeterministicImplicit' });
const x = new Float32Array(DEVICES).fill(1);
for (const panel of panels) {
  const tile = await backend.createTile({ outSize: 1, inSize: DEVICES, rpuConfig: new SingleRPUConfig({ device: panel.device, update }), seed: 3 });
  await tile.setWeights(new Float32Array(DEVICES));
  panel.traces = Array.from({ length: DEVICES }, () => [0]);
  for (let p = 0; p < UP + DOWN; p++) {
    await tile.update(x, Float32Array.of(p < UP ? -1 : 1), 1, panel.granularity);
    const w = await tile.getWeights();
    for (let k = 0; k < DEVICES; k++) panel.traces[k]!.push(w[k]!);
  }
  const top = panel.traces.map((t) => t[UP]!.toFixed(3)).join(', ');
  const bottom = panel.traces.map((t) => t[UP + DOWN]!.toFixed(3)).join(', ');
  console.log(`${panel.title}: after ${UP} up pulses [${top}], after ${DOWN} down pulses [${bottom}]`);
}

// ------------------------------------------------------------------ the SVG

const COLS = 3;
const PW = 230;
const PH = 170;
const M = { left: 56, right: 16, top: 56, bottom: 40, gapX: 40, gapY: 62 };
const rows = Math.ceil(panels.length / COLS);
const W = M.left + COLS * PW + (COLS - 1) * M.gapX + M.right;
const H = M.top + rows * PH + (rows - 1) * M.gapY + M.bottom + 30;
const f = (v: number): string => v.toFixed(1);
const yMin = -0.9;
const yMax = 0.9;
const n = UP + DOWN;

const parts: string[] = [];
parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
parts.push(
  `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">Weight traces: ${UP} up pulses, then ${DOWN} down pulses (dw_min ${common.dwMin} ± ${100 * common.dwMinDtod} % device to device, dw_min_std ${common.dwMinStd})</text>`,
);
panels.forEach((panel, idx) => {
  const ox = M.left + (idx % COLS) * (PW + M.gapX);
  const oy = M.top + Math.floor(idx / COLS) * (PH + M.gapY);
  const px = (p: number): number => ox + (p / n) * PW;
  const py = (w: number): number => oy + PH - ((w - yMin) / (yMax - yMin)) * PH;
  parts.push(`<text x="${ox + PW / 2}" y="${oy - 8}" text-anchor="middle" font-size="12">${panel.title}</text>`);
  for (let v = -0.8; v <= 0.8 + 1e-9; v += 0.4) {
    parts.push(`<line x1="${ox}" y1="${f(py(v))}" x2="${ox + PW}" y2="${f(py(v))}" stroke="${Math.abs(v) < 1e-9 ? '#bbb' : '#eee'}"/>`);
    parts.push(`<text x="${ox - 5}" y="${f(py(v) + 4)}" text-anchor="end">${v.toFixed(1)}</text>`);
  }
  for (let p = 0; p <= n; p += 150) {
    parts.push(`<line x1="${f(px(p))}" y1="${oy}" x2="${f(px(p))}" y2="${oy + PH}" stroke="#eee"/>`);
    parts.push(`<text x="${f(px(p))}" y="${oy + PH + 14}" text-anchor="middle">${p}</text>`);
  }
  parts.push(`<line x1="${f(px(UP))}" y1="${oy}" x2="${f(px(UP))}" y2="${oy + PH}" stroke="#999" stroke-dasharray="4 3"/>`);
  parts.push(`<rect x="${ox}" y="${oy}" width="${PW}" height="${PH}" fill="none" stroke="#333"/>`);
  panel.traces.forEach((trace, k) => {
    const pts = trace.map((w, p) => `${f(px(p))},${f(py(w))}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${COLORS[k]}" stroke-width="1.2"/>`);
  });
  parts.push(`<text x="${ox + PW / 2}" y="${oy + PH + 30}" text-anchor="middle">pulse number</text>`);
});
const ly = H - 18;
parts.push(`<text x="${M.left}" y="${ly}">weight w of ${DEVICES} devices of one tile (colours); dashed: the switch from up to down pulses</text>`);
parts.push('</svg>');

const dir = fileURLToPath(new URL('../../docs/img/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}training-traces.svg`, `${parts.join('\n')}\n`);
console.log(`\nwrote ${dir}training-traces.svg`);
