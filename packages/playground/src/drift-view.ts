/**
 * The drift view: a small network trained hardware-aware in the page (or a
 * loaded model), programmed onto PCM and evaluated over time, with and without
 * global drift compensation.
 */
import { CrossbarError, PCMLikeNoiseModel, WeightModifierParameter, rpuConfigFromDict, rpuConfigToDict, type Field, type InferenceRPUConfig } from '@crossbar/core';
import { loadModel } from '@crossbar/modules';
import {
  accuracy,
  Cancelled,
  checkModelShape,
  driftCurves,
  glyphData,
  inferenceConfigOf,
  readModelFiles,
  trainModel,
  type DriftCurves,
  type TrainedModel,
} from './drift-lab.js';
import { pageEngine } from './engines.js';
import { formatNumber, formatPercent } from './format.js';
import { ComputingViewBase, messageOf, type Page } from './page.js';
import { COLORS, logLinePlot } from './plots.js';
import { checkDriftSettings, formatTimes, parseTimes, SettingError, timeLabel, type DriftSettings } from './settings.js';
import { decodeState, isPlain } from './state.js';
import { downloadText, group, h } from './ui.js';

/** The model the drift view shows: trained in the page, or loaded from a file. */
interface ModelEntry {
  id: number;
  source: 'trained' | 'loaded';
  /** Training key (trained) or file name (loaded). */
  key: string;
  model: TrainedModel;
  engine: string;
}

export class DriftView extends ComputingViewBase {
  readonly name = 'drift' as const;
  readonly element: HTMLElement;
  /** The last settings that passed their checks. */
  private settings: DriftSettings = checkDriftSettings(decodeState('').drift);

  private readonly message: HTMLElement;
  private readonly info: HTMLElement;
  private readonly plot: HTMLElement;
  private readonly table: HTMLElement;
  private readonly history: HTMLElement;
  private readonly progress: HTMLProgressElement;
  /** Bumped when a newer computation is due: a running one stops at its next batch. */
  private gen = 0;
  private runs = 0;
  private modelEntry: ModelEntry | null = null;
  private curves: { key: string; result: DriftCurves } | null = null;
  private nextModelId = 1;

  constructor(page: Page) {
    super(page, 300);
    this.message = h('div', { id: 'drift-message', class: 'message', role: 'alert', hidden: true });
    this.info = h('p', { id: 'drift-info', class: 'info' });
    this.plot = h('div', { id: 'drift-plot', class: 'plots single' });
    this.table = h('table', { id: 'drift-numbers', class: 'numbers' });
    this.history = h('p', { id: 'drift-history', class: 'note' });
    this.progress = h('progress', { id: 'drift-progress', max: 1, value: 0, hidden: true });
    this.element = h(
      'section',
      { id: 'view-drift', class: 'view', role: 'tabpanel' },
      h('aside', { class: 'controls' }, ...this.controls()),
      h('div', { class: 'results' }, page.configNotice('drift'), this.message, this.progress, this.info, this.plot, this.table, this.history),
    );
  }

  private controls(): HTMLElement[] {
    const page = this.page;
    const d = (key: keyof DriftSettings) => (v: unknown) => this.set({ ...page.state.drift, [key]: v });
    const nm = PCMLikeNoiseModel.fields as Record<string, Field>;
    const mod = WeightModifierParameter.fields as Record<string, Field>;
    const fileInput = h('input', {
      type: 'file',
      id: 'model-file',
      accept: '.json,.bin',
      multiple: true,
      'aria-label': 'Load a model',
      onchange: (e: Event) => void this.loadModelFile(e.target as HTMLInputElement),
    });
    const setTimes = (v: unknown) => {
      try {
        this.set({ ...page.state.drift, times: parseTimes(String(v)) });
      } catch (e) {
        if (e instanceof SettingError) page.control('times').setError(e.message);
        else throw e;
      }
    };
    const repeatsHelp = 'Programming repeats (new programming noise, drift exponents and read noise each): mean ± std.';
    return [
      group('PCM noise model (PCMLikeNoiseModel)', ...Object.keys(nm).map((k) => page.configControl(['noiseModel', k], nm[k]!))),
      group(
        'Hardware-aware training',
        h('p', { class: 'note' }, 'An MLP 64-hidden-10 (ReLU) on noisy 8 × 8 digit glyphs, trained in this page with AnalogSGD and the config above.'),
        h('div', { class: 'row' }, page.configControl(['modifier', 'type'], mod.type!, 'modifier'), page.configControl(['modifier', 'stdDev'], mod.stdDev!, 'std_dev')),
        h(
          'div',
          { class: 'row' },
          page.settingControl('hidden', 'hidden', { kind: 'number', integer: true }, 'Hidden units.', d('hidden')),
          page.settingControl('epochs', 'epochs', { kind: 'number', integer: true }, 'Training epochs.', d('epochs')),
          page.settingControl('lr', 'lr', { kind: 'number' }, 'Learning rate (decays linearly per epoch).', d('lr')),
        ),
        h(
          'div',
          { class: 'row' },
          page.settingControl('batchSize', 'batch', { kind: 'number', integer: true }, 'Mini-batch size.', d('batchSize')),
          page.settingControl('trainSize', 'train', { kind: 'number', integer: true }, 'Training glyphs.', d('trainSize')),
          page.settingControl('testSize', 'test', { kind: 'number', integer: true }, 'Test glyphs.', d('testSize')),
        ),
        h(
          'div',
          { class: 'row' },
          page.settingControl('pixelNoise', 'pixel noise', { kind: 'number' }, 'Std of the Gaussian noise added to each pixel (ink is 1).', d('pixelNoise')),
          page.settingControl('driftSeed', 'seed', { kind: 'number', integer: true }, 'Seed of the glyphs, their order and the layers.', d('seed')),
        ),
      ),
      group(
        'Inference',
        page.settingControl('times', 'times after programming', { kind: 'text' }, 'e.g. 1s, 1h, 1d, 1w, 1mo, 1y, 10y', setTimes),
        page.settingControl('repeats', 'repeats', { kind: 'number', integer: true }, repeatsHelp, d('repeats')),
      ),
      group(
        'Model',
        h(
          'div',
          { class: 'buttons' },
          h('button', { type: 'button', id: 'retrain', onclick: () => this.retrain() }, 'Train anew'),
          h('button', { type: 'button', id: 'model-save', onclick: () => this.saveModelFile() }, 'Save model (JSON)'),
        ),
        h('label', {}, 'Load a saved model ', fileInput),
        h(
          'p',
          { class: 'note' },
          'A crossbar-model@1 JSON (what "Save model" writes), or model.json with its model.weights.bin (crossbar-model@2: pick both), with 64 inputs and 10 outputs.',
        ),
      ),
    ];
  }

  // ------------------------------------------------------------ settings

  private set(next: DriftSettings): void {
    this.page.state.drift = next;
    this.settingsChanged();
  }

  check(): void {
    const page = this.page;
    const s = page.state.drift;
    const keys: [string, unknown][] = [
      ['hidden', s.hidden],
      ['epochs', s.epochs],
      ['lr', s.lr],
      ['batchSize', s.batchSize],
      ['trainSize', s.trainSize],
      ['testSize', s.testSize],
      ['pixelNoise', s.pixelNoise],
      ['driftSeed', s.seed],
      ['repeats', s.repeats],
    ];
    for (const [k, v] of keys) {
      page.control(k).setError(null);
      page.control(k).setValue(v);
    }
    const times = page.control('times');
    times.setError(null);
    if (document.activeElement !== times.input) times.setValue(Array.isArray(s.times) ? formatTimes(s.times) : String(s.times));
    try {
      this.settings = checkDriftSettings(s);
    } catch (e) {
      if (!(e instanceof SettingError)) throw e;
      (page.controls.get(e.setting) ?? page.control('hidden')).setError(`${e.message} — not applied`);
    }
  }

  // ------------------------------------------------------------ computing

  protected override onSchedule(): void {
    this.gen++; // a running computation stops at its next batch
  }

  private trainingKey(): string {
    const dict = rpuConfigToDict(this.page.config);
    delete dict.noise_model;
    delete dict.drift_compensation;
    const s = this.settings;
    return JSON.stringify({ engine: this.page.state.engine, dict, s: [s.seed, s.hidden, s.epochs, s.batchSize, s.lr, s.trainSize, s.testSize, s.pixelNoise] });
  }

  private curvesKey(entry: ModelEntry): string {
    const s = this.settings;
    const dict = rpuConfigToDict(this.page.config);
    return JSON.stringify({ id: entry.id, engine: this.page.state.engine, nm: dict.noise_model, s: [s.seed, s.testSize, s.pixelNoise, s.repeats, s.times] });
  }

  private showMessage(message: string | null): void {
    this.message.hidden = message === null;
    this.message.textContent = message ?? '';
  }

  protected async compute(): Promise<void> {
    const page = this.page;
    const body = document.body.dataset;
    this.stale = false;
    const gen = this.gen;
    const version = this.version;
    const cancelled = () => gen !== this.gen;
    body.driftStatus = 'busy';
    this.progress.hidden = false;
    const progress = (message: string, fraction: number) => {
      this.progress.value = fraction;
      page.setStatus(message);
    };
    try {
      const config = inferenceConfigOf(page.config);
      const s = this.settings;
      const engine = await pageEngine(page.state.engine);
      const key = this.trainingKey();
      let entry = this.modelEntry;
      if (entry === null || (entry.source === 'trained' && entry.key !== key)) {
        progress('training…', 0);
        const model = await trainModel(engine.backend, config, s, { progress, cancelled });
        entry = { id: this.nextModelId++, source: 'trained', key, model, engine: engine.name };
        this.modelEntry = entry;
        this.curves = null;
      }
      const ckey = this.curvesKey(entry);
      if (this.curves === null || this.curves.key !== ckey) {
        progress('programming and drift…', 0);
        const result = await driftCurves(engine.backend, entry.model, config, s, { progress, cancelled });
        this.curves = { key: ckey, result };
      }
      this.showMessage(null);
      this.render(entry, this.curves.result, engine.label, config);
      this.runs++;
      body.driftRuns = String(this.runs);
      body.driftStatus = 'done';
      body.driftFresh = String(version === this.version);
      page.setStatus(`drift: done on ${engine.name}`);
    } catch (e) {
      if (e instanceof Cancelled) return; // a newer request runs next
      if (!(e instanceof CrossbarError)) console.error(e);
      this.showMessage(`Not computed: ${messageOf(e)}`);
      body.driftStatus = 'error';
      body.driftFresh = String(version === this.version);
      page.setStatus('drift: not computed (see the message)');
    } finally {
      this.progress.hidden = true;
    }
  }

  private render(entry: ModelEntry, curves: DriftCurves, engineLabel: string, config: InferenceRPUConfig): void {
    const m = entry.model;
    const s = this.settings;
    const nm = config.noiseModel;
    const pinned = entry.source === 'loaded' ? ` (loaded from ${entry.key}; "Train anew" trains with the settings here)` : '';
    this.info.replaceChildren(
      h('span', { id: 'drift-engine' }, engineLabel),
      ` · ${entry.source === 'trained' ? `trained in ${m.seconds.toFixed(1)} s` : 'loaded model'}${pinned} · programming and drift in ${curves.seconds.toFixed(1)} s`,
      h('br'),
      h(
        'span',
        { class: 'note' },
        `g_max ${nm.gMax} µS, drift_scale ${nm.driftScale}, prog_noise_scale ${nm.progNoiseScale}, read_noise_scale ${nm.readNoiseScale}; ` +
          `${s.repeats} programming repeat(s), ${s.testSize} test glyphs`,
      ),
    );
    const band = (a: { mean: number; std: number }) => ({ lo: a.mean - a.std, hi: a.mean + a.std });
    const plot = logLinePlot(
      [
        { name: 'global drift compensation', color: COLORS.compensated, points: curves.points.map((p) => ({ x: p.t, y: p.compensated.mean, ...band(p.compensated) })) },
        { name: 'no compensation', color: COLORS.uncompensated, points: curves.points.map((p) => ({ x: p.t, y: p.uncompensated.mean, ...band(p.uncompensated) })) },
      ],
      'Test accuracy after programming onto PCM',
      'time after programming (log scale)',
      'test accuracy',
      (t) => formatTimes([t]),
      { y: curves.beforeProgramming, label: `before programming ${formatPercent(curves.beforeProgramming)}` },
    );
    plot.id = 'plot-drift';
    this.plot.replaceChildren(plot);
    const pm = (a: { mean: number; std: number }) => (s.repeats > 1 ? `${formatPercent(a.mean)} ± ${(100 * a.std).toFixed(1)}` : formatPercent(a.mean));
    const before = curves.beforeProgramming;
    this.table.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', {}, 'time'), h('th', {}, 'compensated'), h('th', {}, 'not compensated'), h('th', {}, 'compensation factor'))),
      h(
        'tbody',
        {},
        h('tr', {}, h('th', {}, 'before programming'), h('td', { id: 'acc-before', 'data-value': before }, formatPercent(before)), h('td', {}, '–'), h('td', {}, '–')),
        ...curves.points.map((p, i) =>
          h(
            'tr',
            {},
            h('th', {}, timeLabel(p.t)),
            h('td', { id: `acc-comp-${i}`, 'data-value': p.compensated.mean }, pm(p.compensated)),
            h('td', { id: `acc-unc-${i}`, 'data-value': p.uncompensated.mean }, pm(p.uncompensated)),
            h('td', { 'data-value': p.compensationScale }, formatNumber(p.compensationScale)),
          ),
        ),
      ),
    );
    this.history.textContent = m.history.length ? `Training (test accuracy per epoch): ${m.history.map((r) => formatPercent(r.testAccuracy)).join(', ')}` : '';
  }

  // ------------------------------------------------------------ model

  private retrain(): void {
    this.modelEntry = null;
    this.curves = null;
    this.mark();
    this.page.schedule();
  }

  private saveModelFile(): void {
    if (!this.modelEntry) {
      this.showMessage('No model yet: wait for the training to finish.');
      return;
    }
    downloadText('crossbar-playground-model.json', JSON.stringify(this.modelEntry.model.saved));
  }

  private async loadModelFile(input: HTMLInputElement): Promise<void> {
    const page = this.page;
    const picked = Array.from(input.files ?? []);
    input.value = '';
    if (picked.length === 0) return;
    try {
      const files = await Promise.all(picked.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
      const { saved, name } = readModelFiles(files);
      checkModelShape(saved);
      const firstConfig = findRpuConfig(saved.architecture as unknown as Record<string, unknown>);
      if (!firstConfig) throw new SettingError('model', `${name}: its layers name no RPU config`);
      const config = inferenceConfigOf(rpuConfigFromDict(firstConfig));
      const engine = await pageEngine(page.state.engine);
      const model = (await loadModel(saved, { engine: engine.backend, rpuConfig: config })).eval();
      let before: number;
      try {
        before = await accuracy(model, glyphData(this.settings).test);
      } finally {
        await model.dispose();
      }
      page.state.config = rpuConfigToDict(config);
      this.modelEntry = {
        id: this.nextModelId++,
        source: 'loaded',
        key: name,
        engine: engine.name,
        model: { saved, history: [], beforeProgramming: before, seconds: 0 },
      };
      this.curves = null;
      page.configChanged();
    } catch (e) {
      if (!(e instanceof CrossbarError)) console.error(e);
      this.showMessage(`Not loaded: ${messageOf(e)}`);
    }
  }
}

function findRpuConfig(m: Record<string, unknown>): Record<string, unknown> | undefined {
  if (isPlain(m.rpuConfig)) return m.rpuConfig;
  if (Array.isArray(m.children)) {
    for (const c of m.children) {
      const found = isPlain(c) ? findRpuConfig(c) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}
