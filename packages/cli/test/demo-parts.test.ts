/**
 * The demo's pieces in-process: the MNIST digits and their seeded split, the
 * pre-processing, the training loop's bookkeeping, the plot, the progress bar
 * and the text helpers.
 */
import { describe, expect, it } from 'vitest';
import { accuracyPlotSvg } from '../src/demo/svg.js';
import { classCounts, IMAGE_SIZE, loadMnist, permutation, splitDigits, subset } from '../src/demo/mnist.js';
import { pixelStats, shiftedCopy, standardize } from '../src/demo/data.js';
import { argmax, countCorrect } from '../src/demo/train.js';
import { DEVICES, analogSgdConfig, hwaConfig } from '../src/demo/configs.js';
import { ProgressBar } from '../src/progress.js';
import { duration, percent, textTable, timeLabel } from '../src/format.js';
import { errorLine, oneLine, UsageError, CliError } from '../src/errors.js';
import { ConfigError, InferenceRPUConfig, PULSED_DEVICES, ReRamSBPresetDevice, SingleRPUConfig, SoftBoundsDevice } from '@crossbar/core';

function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('MNIST digits from the mnist package', () => {
  const all = loadMnist();

  it('has 10,000 labelled 28x28 digits of every class, pixels in [0, 1]', () => {
    expect(all.count).toBe(10000);
    expect(all.images.length).toBe(10000 * IMAGE_SIZE);
    const counts = classCounts(all);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10000);
    for (const c of counts) expect(c).toBeGreaterThan(800);
    let min = Infinity;
    let max = -Infinity;
    for (const v of all.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.99);
  });

  it('the split is disjoint, covers the sizes asked for, and is a function of the seed', () => {
    const a = splitDigits(all, 8000, 2000, 1);
    const b = splitDigits(all, 8000, 2000, 1);
    const c = splitDigits(all, 8000, 2000, 2);
    expect(a.train.count).toBe(8000);
    expect(a.test.count).toBe(2000);
    expect(same(b.test.images, a.test.images)).toBe(true);
    expect(same(b.train.labels, a.train.labels)).toBe(true);
    expect(same(c.test.labels, a.test.labels)).toBe(false);
    // Disjoint: the permutation's first 8000 and last 2000 indices do not meet.
    const p = permutation(all.count, 1, 0);
    const train = new Set(p.subarray(0, 8000));
    expect(p.subarray(8000).some((i) => train.has(i))).toBe(false);
    // Every class is in both sets.
    for (const n of classCounts(a.test)) expect(n).toBeGreaterThan(100);
    expect(() => splitDigits(all, 9000, 2000, 1)).toThrow(/exceed the 10000 digits/);
  });

  it('permutation is a permutation, different per call', () => {
    const p = permutation(1000, 5, 3);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(permutation(1000, 5, 4)).not.toEqual(p);
    expect(permutation(1, 5, 0)).toEqual(Uint32Array.of(0));
  });

  it('standardisation uses the given statistics; shifts move the digit and fill the border', () => {
    const d = subset(all, [0, 1, 2]);
    const s = pixelStats(d);
    const z = standardize(d, s);
    const zs = pixelStats(z);
    expect(zs.mean).toBeCloseTo(0, 5);
    expect(zs.std).toBeCloseTo(1, 4);
    const shifted = shiftedCopy(z, 2, -9, 11, 0);
    expect(shifted.labels).toBe(z.labels);
    // Each digit is its original moved by some (dx, dy) in [-2, 2]², with -9 where nothing was.
    for (let k = 0; k < 3; k++) {
      const img = z.images.subarray(k * IMAGE_SIZE, (k + 1) * IMAGE_SIZE);
      const out = shifted.images.subarray(k * IMAGE_SIZE, (k + 1) * IMAGE_SIZE);
      let found = false;
      for (let dy = -2; dy <= 2 && !found; dy++) {
        for (let dx = -2; dx <= 2 && !found; dx++) {
          let ok = true;
          for (let r = 0; r < 28 && ok; r++) {
            for (let c = 0; c < 28 && ok; c++) {
              const sr = r - dy;
              const sc = c - dx;
              const want = sr >= 0 && sr < 28 && sc >= 0 && sc < 28 ? img[sr * 28 + sc]! : -9;
              ok = out[r * 28 + c] === want;
            }
          }
          found = ok;
        }
      }
      expect(found).toBe(true);
    }
    expect(same(shiftedCopy(z, 2, -9, 11, 0).images, shifted.images)).toBe(true);
    expect(same(shiftedCopy(z, 2, -9, 11, 1).images, shifted.images)).toBe(false);
  });
});

describe('training bookkeeping', () => {
  it('argmax and countCorrect', () => {
    const y = Float32Array.of(0.1, 0.9, 0.0, 0.5, 0.2, 0.3);
    expect(argmax(y, 0, 3)).toBe(1);
    expect(argmax(y, 3, 3)).toBe(0);
    expect(countCorrect(y, [1, 2], 2, 3)).toBe(1);
  });
});

describe('configs', () => {
  it("hardware-aware training: InferenceRPUConfig as in aihwkit's HWA example", () => {
    const c = hwaConfig(0.1);
    expect(c).toBeInstanceOf(InferenceRPUConfig);
    expect(c.modifier.type).toBe('AddNormal');
    expect(c.modifier.stdDev).toBe(0.1);
    expect(c.remap.type).toBe('ChannelwiseSymmetric');
    expect(c.clip.type).toBe('LayerGaussian');
    expect(c.mapping.learnOutScaling).toBe(true);
    expect(c.noiseModel.gMax).toBe(25);
    expect(c.driftCompensation).not.toBeNull();
    expect(hwaConfig(0).modifier.type).toBe('Copy');
  });

  it('every --device makes a SingleRPUConfig with that device (presets keep their values)', () => {
    for (const [name, d] of Object.entries(DEVICES)) {
      const c = analogSgdConfig(name);
      expect(c).toBeInstanceOf(SingleRPUConfig);
      expect(PULSED_DEVICES.some((D) => c.device instanceof D)).toBe(true);
      expect(c.device.fieldValues()).toEqual(d.make().fieldValues());
    }
    expect(analogSgdConfig('soft-bounds').device).toBeInstanceOf(SoftBoundsDevice);
    expect(analogSgdConfig('reram-sb').device.fieldValues()).toEqual(ReRamSBPresetDevice().fieldValues());
    expect((analogSgdConfig('reram-sb').device as SoftBoundsDevice).dwMin).not.toBe(new SoftBoundsDevice().dwMin);
  });
});

describe('plot', () => {
  it('draws both series on a log time axis with labelled times, error bars with std', () => {
    const svg = accuracyPlotSvg({
      title: 'T <&>',
      times: [1, 3600, 86400, 2592000, 31536000],
      series: [
        { label: 'with', color: '#1f77b4', values: [0.97, 0.97, 0.968, 0.969, 0.968], std: [0.001, 0.002, 0.001, 0.001, 0.003] },
        { label: 'without', color: '#d62728', dashed: true, values: [0.97, 0.967, 0.965, 0.95, 0.92] },
      ],
      references: [{ label: 'before', value: 0.9705, color: '#2ca02c' }],
    });
    expect(svg).toContain('T &lt;&amp;&gt;');
    for (const l of ['>1 s<', '>1 h<', '>1 day<', '>1 month<', '>1 year<']) expect(svg).toContain(l);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(10);
    expect(svg).toContain('stroke-dasharray="7 5"');
    // Log axis: 1 s, 1 h and 1 year are at x proportional to log10(t).
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].slice(0, 5).map((m) => Number(m[1]));
    const l = [0, Math.log10(3600), Math.log10(86400), Math.log10(2592000), Math.log10(31536000)];
    const scale = (xs[4]! - xs[0]!) / (l[4]! - l[0]!);
    for (let i = 0; i < 5; i++) expect(xs[i]! - xs[0]!).toBeCloseTo(scale * (l[i]! - l[0]!), 0);
    expect(() => accuracyPlotSvg({ title: '', times: [0], series: [] })).toThrow(/times must be > 0/);
  });
});

describe('progress bar', () => {
  it('on a terminal: redraws in place with \\r, throttled, and ends the line', () => {
    let out = '';
    let now = 0;
    const bar = new ProgressBar('epoch 1/2', 100, { stream: { write: (s: string) => (out += s), isTTY: true }, now: () => now });
    bar.update(10, 'loss 1.0');
    now = 50;
    bar.update(20, 'loss 0.9'); // within 100 ms: skipped
    now = 200;
    bar.update(30, 'loss 0.8');
    bar.finish('loss 0.5');
    const draws = out.split('\r').filter(Boolean);
    expect(draws).toHaveLength(3);
    expect(draws[1]).toContain(' 30/100  loss 0.8');
    expect(out.endsWith('[########################] 100/100  loss 0.5\n')).toBe(true);
  });

  it('without a terminal: whole lines at every quarter and at the end', () => {
    let out = '';
    const bar = new ProgressBar('epoch 1/1', 100, { stream: { write: (s: string) => (out += s), isTTY: false } });
    for (let i = 1; i <= 100; i++) bar.update(i, `n ${i}`);
    bar.finish('done');
    expect(out).not.toContain('\r');
    expect(
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^.*\] +/, '')),
    ).toEqual(['25/100  n 25', '50/100  n 50', '75/100  n 75', '100/100  done']);
  });
});

describe('text helpers', () => {
  it('tables, percentages, durations, time labels', () => {
    expect(
      textTable(
        ['a', 'bb'],
        [
          ['1', '2'],
          ['333', '4'],
        ],
        ['left', 'right'],
      ),
    ).toBe('a    bb\n---  --\n1     2\n333   4');
    expect(percent(0.97125)).toBe('97.13 %');
    expect(duration(0.25)).toBe('250 ms');
    expect(duration(12.34)).toBe('12.3 s');
    expect(duration(134.4)).toBe('2 min 14 s');
    expect([1, 60, 3600, 86400, 2592000, 31536000, 2 * 86400, 1.5].map(timeLabel)).toEqual(['1 s', '1 min', '1 h', '1 day', '1 month', '1 year', '2 days', '1.5 s']);
  });

  it('errors are one line: class names for Crossbar errors, a --verbose hint for unexpected ones', () => {
    expect(oneLine('No registered engine works here:\n  a: x\n  b: y')).toBe('No registered engine works here: a: x; b: y');
    expect(oneLine("error: unknown option '--x'\n(Did you mean --y?)")).toBe("error: unknown option '--x' (Did you mean --y?)");
    expect(errorLine(new ConfigError('bad\nvalue'))).toBe('error: ConfigError: bad; value');
    expect(errorLine(new UsageError('--x: bad', 'crossbar demo'))).toBe("error: --x: bad (see 'crossbar demo --help')");
    expect(errorLine(new CliError('file: no such file'))).toBe('error: file: no such file');
    expect(errorLine(new TypeError('oops'))).toBe('error: TypeError: oops (run with --verbose for the stack trace)');
    expect(errorLine(new TypeError('oops'), true)).toBe('error: TypeError: oops');
  });
});
