/**
 * The tile view: one analog matrix-vector product against the ideal one,
 * with the forward IOParameters as controls, W and x seeded or uploaded, and
 * the error statistics and plots of the result.
 */
import { CrossbarError, IOParameters, type Field, type RPUConfig } from '@crossbar/core';
import { DISTRIBUTIONS, DataSub, parseMatrix, seededMatrix, type Matrix } from './data.js';
import { pageEngine } from './engines.js';
import { formatMs, formatNumber, formatPercent } from './format.js';
import { ComputingViewBase, messageOf, type Page } from './page.js';
import { barChart, emptyPlot, histogram, scatterPlot } from './plots.js';
import { checkTileSettings, LIMITS, SettingError, type TileSettings } from './settings.js';
import { baseDict, decodeState, isPlain } from './state.js';
import { runTile, type TileRun } from './tile-lab.js';
import { group, h } from './ui.js';

/** The IOParameters fields shown first in the tile view; the others are under "More IOParameters". */
const MAIN_IO_FIELDS = [
  'mvType',
  'isPerfect',
  'inpBound',
  'inpRes',
  'inpNoise',
  'inpStoRound',
  'outBound',
  'outRes',
  'outNoise',
  'outStoRound',
  'noiseManagement',
  'boundManagement',
  'wNoise',
  'wNoiseType',
  'irDrop',
  'outNonlinearity',
];

const CONFIG_TYPES = ['InferenceRPUConfig', 'SingleRPUConfig', 'FloatingPointRPUConfig'] as const;

/** The keys of the tile settings' controls. */
const SETTING_KEYS = ['outSize', 'inSize', 'batch', 'seed', 'weights.dist', 'weights.scale', 'inputs.dist', 'inputs.scale'];

type Upload = Matrix & { name: string };

export class TileView extends ComputingViewBase {
  readonly name = 'tile' as const;
  readonly element: HTMLElement;
  /** The last settings that passed their checks. */
  private settings: TileSettings = checkTileSettings(decodeState('').tile);
  private uploads: { weights?: Upload; inputs?: Upload } = {};

  private readonly message: HTMLElement;
  private readonly info: HTMLElement;
  private readonly numbers: HTMLElement;
  private readonly plots: HTMLElement;
  private readonly uploadInfo: HTMLElement;
  private runs = 0;

  constructor(page: Page) {
    super(page, 120);
    this.message = h('div', { id: 'tile-message', class: 'message', role: 'alert', hidden: true });
    this.info = h('p', { id: 'tile-info', class: 'info' });
    this.numbers = h('table', { id: 'tile-numbers', class: 'numbers' });
    this.plots = h('div', { id: 'tile-plots', class: 'plots' });
    this.uploadInfo = h('div', { id: 'upload-info', class: 'note' });
    this.element = h(
      'section',
      { id: 'view-tile', class: 'view', role: 'tabpanel' },
      h('aside', { class: 'controls' }, ...this.controls()),
      h('div', { class: 'results' }, page.configNotice('tile'), this.message, this.info, this.numbers, this.plots),
    );
  }

  private controls(): HTMLElement[] {
    const page = this.page;
    const t = (key: keyof TileSettings) => (v: unknown) => this.set({ ...page.state.tile, [key]: v });
    const spec = (which: 'weights' | 'inputs', part: 'dist' | 'scale') => (v: unknown) =>
      this.set({ ...page.state.tile, [which]: { ...page.state.tile[which], [part]: v } });
    const fields = IOParameters.fields as Record<string, Field>;
    const more = Object.keys(fields).filter((k) => !MAIN_IO_FIELDS.includes(k));
    const upload = (which: 'weights' | 'inputs', label: string) =>
      h('input', {
        type: 'file',
        id: `upload-${which}`,
        accept: '.csv,.txt,.json,.tsv',
        'aria-label': label,
        onchange: (e: Event) => void this.upload(which, e.target as HTMLInputElement),
      });
    const distHelp = 'Uniform in [−scale, scale] or normal with std scale.';
    return [
      group(
        'Matrix and inputs',
        page.settingControl(
          'configType',
          'RPU config',
          { kind: 'enum', values: CONFIG_TYPES },
          'The config class of the tile: InferenceRPUConfig (the default), SingleRPUConfig or FloatingPointRPUConfig (an exact MVM).',
          (v) => this.setConfigType(v as string),
        ),
        h(
          'div',
          { class: 'row' },
          page.settingControl('outSize', 'outputs', { kind: 'number', integer: true }, 'Rows of W (out_size).', t('outSize')),
          page.settingControl('inSize', 'inputs', { kind: 'number', integer: true }, 'Columns of W (in_size).', t('inSize')),
          page.settingControl('batch', 'vectors', { kind: 'number', integer: true }, 'Input vectors in the forward call (the batch).', t('batch')),
        ),
        h(
          'div',
          { class: 'row' },
          page.settingControl('weights.dist', 'W values', { kind: 'enum', values: DISTRIBUTIONS }, distHelp, spec('weights', 'dist')),
          page.settingControl('weights.scale', 'W scale', { kind: 'number' }, 'Half-width (uniform) or std (normal) of the weights.', spec('weights', 'scale')),
        ),
        h(
          'div',
          { class: 'row' },
          page.settingControl('inputs.dist', 'x values', { kind: 'enum', values: DISTRIBUTIONS }, distHelp, spec('inputs', 'dist')),
          page.settingControl('inputs.scale', 'x scale', { kind: 'number' }, 'Half-width (uniform) or std (normal) of the inputs.', spec('inputs', 'scale')),
        ),
        page.settingControl(
          'seed',
          'seed',
          { kind: 'number', integer: true },
          'Seed of the random W and x (stream PlaygroundData) and of the tile (its noise draws).',
          t('seed'),
        ),
        h(
          'div',
          { class: 'uploads' },
          h('label', {}, 'Upload W (CSV or JSON) ', upload('weights', 'Upload the weight matrix')),
          h('label', {}, 'Upload x ', upload('inputs', 'Upload the inputs')),
        ),
        this.uploadInfo,
      ),
      group('Forward IOParameters', ...MAIN_IO_FIELDS.map((k) => page.configControl(['forward', k], fields[k]!))),
      h('details', { class: 'more' }, h('summary', {}, 'More IOParameters'), ...more.map((k) => page.configControl(['forward', k], fields[k]!))),
    ];
  }

  // ------------------------------------------------------------ settings

  private setConfigType(type: string): void {
    const state = this.page.state;
    if (type === state.config.type) return;
    const next = baseDict(type);
    // keep the forward IOParameters where both classes have them
    if (isPlain(state.config.forward) && isPlain(next.forward)) next.forward = structuredClone(state.config.forward);
    state.config = next;
    this.page.configChanged();
  }

  private set(next: TileSettings): void {
    this.page.state.tile = next;
    this.settingsChanged();
  }

  check(): void {
    const page = this.page;
    const s = page.state.tile;
    for (const k of SETTING_KEYS) {
      const c = page.control(k);
      c.setError(null);
      const [a, b] = k.split('.') as [keyof TileSettings, string | undefined];
      const v = b === undefined ? s[a] : (s[a] as unknown as Record<string, unknown>)[b];
      c.setValue(v);
    }
    try {
      this.settings = checkTileSettings(s);
    } catch (e) {
      if (!(e instanceof SettingError)) throw e;
      (page.controls.get(e.setting) ?? page.control('outSize')).setError(`${e.message} — not applied`);
    }
    const { weights, inputs } = this.uploads;
    page.control('outSize').setDisabled(weights !== undefined);
    page.control('inSize').setDisabled(weights !== undefined || inputs !== undefined);
    page.control('batch').setDisabled(inputs !== undefined);
    for (const k of ['weights.dist', 'weights.scale']) page.control(k).setDisabled(weights !== undefined);
    for (const k of ['inputs.dist', 'inputs.scale']) page.control(k).setDisabled(inputs !== undefined);
  }

  private async upload(which: 'weights' | 'inputs', input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    try {
      const m = parseMatrix(await file.text(), `${which === 'weights' ? 'W' : 'x'} (${file.name})`);
      this.uploads[which] = { ...m, name: file.name };
    } catch (e) {
      if (!(e instanceof CrossbarError)) throw e;
      this.showMessage(e.message);
      input.value = '';
      return;
    }
    input.value = '';
    this.uploadsChanged();
  }

  private uploadsChanged(): void {
    this.renderUploads();
    this.settingsChanged();
  }

  private renderUploads(): void {
    const parts: (HTMLElement | string)[] = [];
    for (const which of ['weights', 'inputs'] as const) {
      const u = this.uploads[which];
      if (!u) continue;
      const clear = () => {
        delete this.uploads[which];
        this.uploadsChanged();
      };
      parts.push(
        h(
          'span',
          { class: 'upload' },
          `${which === 'weights' ? 'W' : 'x'} from ${u.name} (${u.rows} × ${u.cols}) `,
          h('button', { type: 'button', class: 'small', onclick: clear }, 'clear'),
        ),
      );
    }
    if (parts.length) parts.push(h('span', {}, 'Uploaded matrices are not part of the link.'));
    this.uploadInfo.replaceChildren(...parts);
  }

  /** The tile's W and x: uploaded, else seeded. */
  private data(s: TileSettings): { w: Float32Array; x: Float32Array; outSize: number; inSize: number; batch: number; describe: string } {
    const uw = this.uploads.weights;
    const ux = this.uploads.inputs;
    const outSize = uw ? uw.rows : s.outSize;
    const inSize = uw ? uw.cols : ux ? ux.cols : s.inSize;
    const batch = ux ? ux.rows : s.batch;
    if (outSize * inSize * batch > LIMITS.work) {
      throw new SettingError('batch', `outputs × inputs × vectors is ${outSize * inSize * batch}: the page computes at most ${LIMITS.work} multiply-adds per call`);
    }
    if (uw && ux && ux.cols !== uw.cols) {
      throw new SettingError('inputs', `x (${ux.name}) has ${ux.cols} columns but W (${uw.name}) has ${uw.cols}: each row of x is one input vector of length in_size`);
    }
    const w = uw ? uw.data : seededMatrix(s.seed, DataSub.weights, outSize, inSize, s.weights);
    const x = ux ? ux.data : seededMatrix(s.seed, DataSub.inputs, batch, inSize, s.inputs);
    const dist = (d: TileSettings['weights']) => (d.dist === 'uniform' ? `uniform ±${d.scale}` : `normal σ ${d.scale}`);
    const describe = `W ${outSize} × ${inSize} ${uw ? `from ${uw.name}` : dist(s.weights)}; ${batch} input vectors ${ux ? `from ${ux.name}` : dist(s.inputs)}; seed ${s.seed}`;
    return { w, x, outSize, inSize, batch, describe };
  }

  // ------------------------------------------------------------ computing

  showMessage(message: string | null): void {
    this.message.hidden = message === null;
    this.message.textContent = message ?? '';
  }

  protected async compute(): Promise<void> {
    const page = this.page;
    const body = document.body.dataset;
    this.stale = false;
    const version = this.version;
    body.tileStatus = 'busy';
    page.setStatus('tile: computing…');
    try {
      const engine = await pageEngine(page.state.engine);
      const s = this.settings;
      const data = this.data(s);
      const config = page.config;
      const run = await runTile(engine.backend, config, data.w, data.x, { outSize: data.outSize, inSize: data.inSize, batch: data.batch, seed: s.seed });
      if (this.job.superseded) return; // a newer request follows at once
      this.showMessage(nonFiniteNote(run.analog, config));
      this.render(run, engine.label, data.describe, config);
      this.runs++;
      body.tileRuns = String(this.runs);
      body.tileEngine = engine.name;
      body.tileStatus = 'done';
      body.tileFresh = String(version === this.version);
      page.setStatus(`tile: done on ${engine.name}`);
    } catch (e) {
      if (!(e instanceof CrossbarError)) console.error(e);
      this.showMessage(`Not computed: ${messageOf(e)}`);
      body.tileStatus = 'error';
      body.tileFresh = String(version === this.version);
      page.setStatus('tile: not computed (see the message)');
    }
  }

  private render(run: TileRun, engineLabel: string, describe: string, config: RPUConfig): void {
    const s = run.stats;
    this.info.replaceChildren(
      h('span', { id: 'tile-engine' }, engineLabel),
      ' · first call ',
      h('span', { id: 'tile-first-ms', 'data-value': run.firstCallMs }, formatMs(run.firstCallMs)),
      ' · then ',
      h('span', { id: 'tile-median-ms', 'data-value': run.medianCallMs }, formatMs(run.medianCallMs)),
      ` per call (median of ${run.timedCalls})`,
      h('br'),
      h('span', { class: 'note' }, `${describe}; ${config.constructor.name}, forward in inference mode`),
    );
    const row = (id: string, label: string, value: number | null, text: string, help: string) =>
      h('tr', { title: help }, h('th', {}, label), h('td', { id: `stat-${id}`, 'data-value': value === null ? '' : String(value) }, text));
    this.numbers.replaceChildren(
      h(
        'tbody',
        {},
        row('rmsError', 'RMS error', s.rmsError, formatNumber(s.rmsError), 'Root mean square of analog − ideal over all outputs.'),
        row('relativeError', 'relative RMS error', s.relativeError, formatPercent(s.relativeError, 2), 'RMS error / RMS of the ideal outputs.'),
        row('maxAbsError', 'max |error|', s.maxAbsError, formatNumber(s.maxAbsError), 'Largest |analog − ideal|.'),
        row('correlation', 'correlation', s.correlation, formatNumber(s.correlation), 'Pearson correlation of analog and ideal outputs.'),
        row('rmsIdeal', 'RMS of W·x', s.rmsIdeal, formatNumber(s.rmsIdeal), 'Root mean square of the ideal outputs.'),
        row(
          'meanPasses',
          'passes per vector',
          s.meanPasses,
          s.meanPasses === null ? 'not reported by this engine' : `${formatNumber(s.meanPasses)} (max ${s.maxPasses})`,
          'Analog passes per input vector: 1 + bound-management re-runs with halved input (0: skipped all-zero input).',
        ),
      ),
    );
    const err = new Float64Array(run.ideal.length);
    for (let i = 0; i < err.length; i++) err[i] = run.analog[i]! - run.ideal[i]!;
    const passesPlot =
      s.passHistogram === null
        ? emptyPlot('Bound-management passes', 'This engine does not report the passes per input vector (AnalogTile.getForwardPassCounts).')
        : barChart(
            s.passHistogram.map((_, k) => String(k)).slice(s.passHistogram[0] ? 0 : 1),
            s.passHistogram.slice(s.passHistogram[0] ? 0 : 1),
            'Analog passes per input vector',
            'passes (1 + bound-management re-runs)',
            'input vectors',
          );
    passesPlot.id = 'plot-passes';
    const scatter = scatterPlot(run.ideal, run.analog, 'Analog vs ideal output');
    scatter.id = 'plot-scatter';
    const hist = histogram(err, 'Error: analog − ideal', 'error');
    hist.id = 'plot-errors';
    this.plots.replaceChildren(scatter, hist, passesPlot);
  }
}

/** A note when some analog outputs are NaN or ±inf (the statistics are NaN then). */
function nonFiniteNote(y: Float32Array, config: RPUConfig): string | null {
  let bad = 0;
  for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i]!)) bad++;
  if (bad === 0) return null;
  const fwd = (config as { forward?: IOParameters }).forward;
  const why = fwd && fwd.outBound === Infinity ? ' aihwkit 0.7.1 gives NaN for out_bound = inf too; out_bound ≤ 0 is its unbounded output.' : '';
  return `${bad} of ${y.length} analog outputs are not finite numbers, so the statistics are NaN.${why}`;
}
