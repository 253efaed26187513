/**
 * The page: header (views, engine), the tile view, the drift view and the
 * config view, all driven by one PageState that is mirrored in the URL.
 *
 * A change goes: control → state (as typed) → checks (the RPU config through
 * rpuConfigFromDict, settings through settings.ts) → messages at the controls
 * → recomputation of the visible view with the last values that passed.
 */
import {
  ConfigError,
  CrossbarError,
  IOParameters,
  PCMLikeNoiseModel,
  WeightModifierParameter,
  type InferenceRPUConfig,
  camelToSnake,
  pyName,
  rpuConfigFromDict,
  rpuConfigToDict,
  type Field,
  type RPUConfig,
} from '@crossbar/core';
import { MODEL_FORMAT, loadModel, type SavedModel } from '@crossbar/modules';
import { DISTRIBUTIONS, DataSub, parseMatrix, seededMatrix, type Matrix } from './data.js';
import {
  accuracy,
  Cancelled,
  checkModelShape,
  driftCurves,
  glyphData,
  inferenceConfigOf,
  trainModel,
  type DriftCurves,
  type TrainedModel,
} from './drift-lab.js';
import { pageEngine } from './engines.js';
import { describeResolution, formatMs, formatNumber, formatPercent } from './format.js';
import { barChart, COLORS, emptyPlot, histogram, logLinePlot, scatterPlot } from './plots.js';
import { aihwkitScript, parseDictText, pythonDictLiteral } from './python.js';
import {
  checkDriftSettings,
  checkTileSettings,
  formatTimes,
  LIMITS,
  parseTimes,
  SettingError,
  timeLabel,
  type DriftSettings,
  type TileSettings,
} from './settings.js';
import { baseDict, decodeState, encodeState, getPath, isPlain, setPath, type EngineName, type PageState, type View } from './state.js';
import { runTile, type TileRun } from './tile-lab.js';
import { control, copyText, downloadText, group, h, kindOfField, type Control } from './ui.js';

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

/** The model the drift view shows: trained in the page, or loaded from a file. */
interface ModelEntry {
  id: number;
  source: 'trained' | 'loaded';
  /** Training key (trained) or file name (loaded). */
  key: string;
  model: TrainedModel;
  engine: string;
}

/** Runs a job one at a time: requests while it runs become one more run after it. */
class Serial {
  private running = false;
  private pending = false;

  constructor(private readonly job: () => Promise<void>) {}

  /** Whether a newer request waits (the running job's result is already out of date). */
  get superseded(): boolean {
    return this.pending;
  }

  async request(): Promise<void> {
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.pending = false;
        await this.job();
      } while (this.pending);
    } finally {
      this.running = false;
    }
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}


export class App {
  private state: PageState;
  /** Last values that passed their checks (what the views compute with). */
  private config: RPUConfig;
  private tileSettings: TileSettings;
  private driftSettings: DriftSettings;
  private uploads: { weights?: Matrix & { name: string }; inputs?: Matrix & { name: string } } = {};

  private readonly controls = new Map<string, Control>();
  /** The dict path (snake_case) of each config control's field. */
  private readonly configPaths = new Map<string, string[]>();
  private readonly views = new Map<View, HTMLElement>();
  private readonly tabs = new Map<View, HTMLButtonElement>();
  private readonly engineSelect: HTMLSelectElement;
  private readonly status: HTMLElement;
  private readonly banner: HTMLElement;

  // tile view
  private readonly tileMessage: HTMLElement;
  private readonly tileInfo: HTMLElement;
  private readonly tileNumbers: HTMLElement;
  private readonly tilePlots: HTMLElement;
  private readonly uploadInfo: HTMLElement;
  private readonly tileJob = new Serial(() => this.computeTile());
  private tileRuns = 0;
  private tileStale = true;
  /** Bumped by every change the tile view depends on; a result is fresh when computed at the current version. */
  private tileVersion = 0;

  // drift view
  private readonly driftMessage: HTMLElement;
  private readonly driftInfo: HTMLElement;
  private readonly driftPlot: HTMLElement;
  private readonly driftTable: HTMLElement;
  private readonly driftHistory: HTMLElement;
  private readonly driftProgress: HTMLProgressElement;
  private driftGen = 0;
  private readonly driftJob = new Serial(() => this.computeDrift());
  private driftRuns = 0;
  private driftStale = true;
  private driftVersion = 0;
  private modelEntry: ModelEntry | null = null;
  private curves: { key: string; result: DriftCurves } | null = null;
  private nextModelId = 1;

  // config view
  private readonly configPython: HTMLElement;
  private readonly configScript: HTMLElement;
  private readonly configJson: HTMLElement;
  private readonly configMessage: HTMLElement;
  private readonly configInput: HTMLTextAreaElement;
  private readonly shareLink: HTMLInputElement;

  private urlTimer: ReturnType<typeof setTimeout> | undefined;
  private tileTimer: ReturnType<typeof setTimeout> | undefined;
  private driftTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly root: HTMLElement) {
    let linkError: string | null = null;
    try {
      this.state = decodeState(location.hash);
    } catch (e) {
      linkError = `${messageOf(e)}. The page starts from its defaults.`;
      this.state = decodeState('');
    }
    this.config = rpuConfigFromDict(baseDict('InferenceRPUConfig'));
    this.tileSettings = checkTileSettings(decodeState('').tile);
    this.driftSettings = checkDriftSettings(decodeState('').drift);

    // ---- header
    this.status = h('span', { id: 'status', class: 'status', 'aria-live': 'polite' }, 'ready');
    this.engineSelect = h(
      'select',
      { id: 'engine', name: 'engine', onchange: () => this.setEngine(this.engineSelect.value as EngineName) },
      h('option', { value: 'ndarray' }, 'ndarray (CPU)'),
      h('option', { value: 'gpujs' }, 'gpu.js (WebGL2)'),
    );
    const nav = h('nav', { class: 'tabs', role: 'tablist' });
    for (const [view, label] of [
      ['tile', 'Tile: one matrix-vector product'],
      ['drift', 'Drift: a trained network over time'],
      ['config', 'Config: aihwkit dict and link'],
    ] as [View, string][]) {
      const b = h('button', { type: 'button', role: 'tab', id: `tab-${view}`, onclick: () => this.showView(view) }, label);
      this.tabs.set(view, b);
      nav.append(b);
    }
    this.banner = h('div', { id: 'banner', class: 'banner', role: 'alert', hidden: true });
    const header = h(
      'header',
      {},
      h('h1', {}, 'Crossbar playground'),
      nav,
      h('label', { class: 'engine', for: 'engine' }, 'Engine ', this.engineSelect),
      this.status,
    );

    // ---- tile view
    this.tileMessage = h('div', { id: 'tile-message', class: 'message', role: 'alert', hidden: true });
    this.tileInfo = h('p', { id: 'tile-info', class: 'info' });
    this.tileNumbers = h('table', { id: 'tile-numbers', class: 'numbers' });
    this.tilePlots = h('div', { id: 'tile-plots', class: 'plots' });
    this.uploadInfo = h('div', { id: 'upload-info', class: 'note' });
    const tileView = h(
      'section',
      { id: 'view-tile', class: 'view', role: 'tabpanel' },
      h('aside', { class: 'controls' }, ...this.tileControls()),
      h('div', { class: 'results' }, this.configNotice('tile'), this.tileMessage, this.tileInfo, this.tileNumbers, this.tilePlots),
    );

    // ---- drift view
    this.driftMessage = h('div', { id: 'drift-message', class: 'message', role: 'alert', hidden: true });
    this.driftInfo = h('p', { id: 'drift-info', class: 'info' });
    this.driftPlot = h('div', { id: 'drift-plot', class: 'plots single' });
    this.driftTable = h('table', { id: 'drift-numbers', class: 'numbers' });
    this.driftHistory = h('p', { id: 'drift-history', class: 'note' });
    this.driftProgress = h('progress', { id: 'drift-progress', max: 1, value: 0, hidden: true });
    const driftView = h(
      'section',
      { id: 'view-drift', class: 'view', role: 'tabpanel' },
      h('aside', { class: 'controls' }, ...this.driftControls()),
      h('div', { class: 'results' }, this.configNotice('drift'), this.driftMessage, this.driftProgress, this.driftInfo, this.driftPlot, this.driftTable, this.driftHistory),
    );

    // ---- config view
    this.configPython = h('pre', { id: 'config-python', class: 'code' });
    this.configScript = h('pre', { id: 'config-script', class: 'code' });
    this.configJson = h('pre', { id: 'config-json', class: 'code' });
    this.configMessage = h('div', { id: 'config-message', class: 'message', role: 'alert', hidden: true });
    this.configInput = h('textarea', { id: 'config-input', rows: 10, spellcheck: 'false', placeholder: "Paste an aihwkit dict (Python or JSON), e.g. {'type': 'InferenceRPUConfig', 'forward': {'out_noise': 0.1}}" });
    this.shareLink = h('input', { id: 'share-link', type: 'text', readonly: true });
    const copyButton = (label: string, text: () => string, source: () => HTMLElement | null) => {
      const b: HTMLButtonElement = h('button', { type: 'button', onclick: async () => (b.textContent = `${label}: ${await copyText(text(), source())}`) }, label);
      return b;
    };
    const configView = h(
      'section',
      { id: 'view-config', class: 'view config', role: 'tabpanel' },
      h(
        'div',
        { class: 'config-col' },
        h('h2', {}, 'The RPU config as an aihwkit dict'),
        h('p', { class: 'note' }, "What dataclasses.asdict(rpu_config) gives in Python, plus a 'type' key: paste it into Python as a dict, or into the box on the right."),
        copyButton('Copy dict', () => this.configPython.textContent ?? '', () => this.configPython),
        this.configPython,
        h('h2', {}, 'The same config in aihwkit 0.7.1'),
        copyButton('Copy script', () => this.configScript.textContent ?? '', () => this.configScript),
        this.configScript,
        h('details', {}, h('summary', {}, 'JSON (rpuConfigToDict)'), this.configJson),
      ),
      h(
        'div',
        { class: 'config-col' },
        h('h2', {}, 'Load a config'),
        h('p', { class: 'note' }, "An aihwkit dict as a Python literal (True, None, float('inf')) or JSON; missing keys keep their defaults."),
        this.configInput,
        h('div', { class: 'buttons' }, h('button', { type: 'button', id: 'config-load', onclick: () => this.loadConfigText(this.configInput.value) }, 'Load config'), h('button', { type: 'button', id: 'config-reset', onclick: () => this.resetConfig() }, 'Reset to the page default')),
        this.configMessage,
        h('h2', {}, 'Share this setup'),
        h('p', { class: 'note' }, 'The link holds the view, the engine, the config and the settings (not uploaded matrices or a loaded model).'),
        this.shareLink,
        copyButton('Copy link', () => this.shareLink.value, () => this.shareLink),
      ),
    );

    this.views.set('tile', tileView);
    this.views.set('drift', driftView);
    this.views.set('config', configView);
    root.replaceChildren(header, this.banner, tileView, driftView, configView, h('footer', {}, 'Crossbar: aihwkit 0.7.1 physics in TypeScript. Everything runs in this page; nothing is sent anywhere.'));

    if (linkError) this.showBanner(linkError);
    this.applyState(true);
    window.addEventListener('hashchange', () => {
      if (location.hash === encodeState(this.state)) return;
      try {
        this.state = decodeState(location.hash);
        this.applyState(true);
      } catch (e) {
        this.showBanner(`${messageOf(e)}. The settings were left as they were.`);
      }
    });
  }

  // ------------------------------------------------------------ controls

  private readonly notices: HTMLElement[] = [];

  /** Where a view says that the config as entered is not valid (the field's control has the details). */
  private configNotice(view: string): HTMLElement {
    const n = h('div', { id: `${view}-config-notice`, class: 'message', role: 'alert', hidden: true });
    this.notices.push(n);
    return n;
  }

  private addControl(c: Control): HTMLElement {
    this.controls.set(c.key, c);
    return c.element;
  }

  /** A control for config field `camel` (a path of camelCase field names from the RPU config). */
  private configControl(camel: string[], field: Field, label?: string): HTMLElement {
    const leaf = pyName(camel[camel.length - 1]!, field);
    const path = [...camel.slice(0, -1).map(camelToSnake), leaf];
    const key = camel.join('.');
    this.configPaths.set(key, path);
    return this.addControl(control(key, label ?? leaf, kindOfField(field), field.doc, (v) => this.setConfigValue(path, v)));
  }

  private settingControl(key: string, label: string, kind: Parameters<typeof control>[2], help: string, set: (v: unknown) => void): HTMLElement {
    return this.addControl(control(key, label, kind, help, set));
  }

  private tileControls(): HTMLElement[] {
    const t = (key: keyof TileSettings) => (v: unknown) => this.setTile({ ...this.state.tile, [key]: v });
    const spec = (which: 'weights' | 'inputs', part: 'dist' | 'scale') => (v: unknown) =>
      this.setTile({ ...this.state.tile, [which]: { ...this.state.tile[which], [part]: v } });
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
    return [
      group(
        'Matrix and inputs',
        this.settingControl('configType', 'RPU config', { kind: 'enum', values: CONFIG_TYPES }, 'The config class of the tile: InferenceRPUConfig (the default), SingleRPUConfig or FloatingPointRPUConfig (an exact MVM).', (v) =>
          this.setConfigType(v as string),
        ),
        h(
          'div',
          { class: 'row' },
          this.settingControl('outSize', 'outputs', { kind: 'number', integer: true }, 'Rows of W (out_size).', t('outSize')),
          this.settingControl('inSize', 'inputs', { kind: 'number', integer: true }, 'Columns of W (in_size).', t('inSize')),
          this.settingControl('batch', 'vectors', { kind: 'number', integer: true }, 'Input vectors in the forward call (the batch).', t('batch')),
        ),
        h(
          'div',
          { class: 'row' },
          this.settingControl('weights.dist', 'W values', { kind: 'enum', values: DISTRIBUTIONS }, 'Uniform in [−scale, scale] or normal with std scale.', spec('weights', 'dist')),
          this.settingControl('weights.scale', 'W scale', { kind: 'number' }, 'Half-width (uniform) or std (normal) of the weights.', spec('weights', 'scale')),
        ),
        h(
          'div',
          { class: 'row' },
          this.settingControl('inputs.dist', 'x values', { kind: 'enum', values: DISTRIBUTIONS }, 'Uniform in [−scale, scale] or normal with std scale.', spec('inputs', 'dist')),
          this.settingControl('inputs.scale', 'x scale', { kind: 'number' }, 'Half-width (uniform) or std (normal) of the inputs.', spec('inputs', 'scale')),
        ),
        this.settingControl('seed', 'seed', { kind: 'number', integer: true }, 'Seed of the random W and x (stream PlaygroundData) and of the tile (its noise draws).', t('seed')),
        h('div', { class: 'uploads' }, h('label', {}, 'Upload W (CSV or JSON) ', upload('weights', 'Upload the weight matrix')), h('label', {}, 'Upload x ', upload('inputs', 'Upload the inputs'))),
        this.uploadInfo,
      ),
      group('Forward IOParameters', ...MAIN_IO_FIELDS.map((k) => this.configControl(['forward', k], fields[k]!))),
      h('details', { class: 'more' }, h('summary', {}, 'More IOParameters'), ...more.map((k) => this.configControl(['forward', k], fields[k]!))),
    ];
  }

  private driftControls(): HTMLElement[] {
    const d = (key: keyof DriftSettings) => (v: unknown) => this.setDrift({ ...this.state.drift, [key]: v });
    const nm = PCMLikeNoiseModel.fields as Record<string, Field>;
    const mod = WeightModifierParameter.fields as Record<string, Field>;
    const fileInput = h('input', { type: 'file', id: 'model-file', accept: '.json', 'aria-label': 'Load a model', onchange: (e: Event) => void this.loadModelFile(e.target as HTMLInputElement) });
    return [
      group('PCM noise model (PCMLikeNoiseModel)', ...Object.keys(nm).map((k) => this.configControl(['noiseModel', k], nm[k]!))),
      group(
        'Hardware-aware training',
        h('p', { class: 'note' }, 'An MLP 64-hidden-10 (ReLU) on noisy 8 × 8 digit glyphs, trained in this page with AnalogSGD and the config above.'),
        h(
          'div',
          { class: 'row' },
          this.configControl(['modifier', 'type'], mod.type!, 'modifier'),
          this.configControl(['modifier', 'stdDev'], mod.stdDev!, 'std_dev'),
        ),
        h(
          'div',
          { class: 'row' },
          this.settingControl('hidden', 'hidden', { kind: 'number', integer: true }, 'Hidden units.', d('hidden')),
          this.settingControl('epochs', 'epochs', { kind: 'number', integer: true }, 'Training epochs.', d('epochs')),
          this.settingControl('lr', 'lr', { kind: 'number' }, 'Learning rate (decays linearly per epoch).', d('lr')),
        ),
        h(
          'div',
          { class: 'row' },
          this.settingControl('batchSize', 'batch', { kind: 'number', integer: true }, 'Mini-batch size.', d('batchSize')),
          this.settingControl('trainSize', 'train', { kind: 'number', integer: true }, 'Training glyphs.', d('trainSize')),
          this.settingControl('testSize', 'test', { kind: 'number', integer: true }, 'Test glyphs.', d('testSize')),
        ),
        h(
          'div',
          { class: 'row' },
          this.settingControl('pixelNoise', 'pixel noise', { kind: 'number' }, 'Std of the Gaussian noise added to each pixel (ink is 1).', d('pixelNoise')),
          this.settingControl('driftSeed', 'seed', { kind: 'number', integer: true }, 'Seed of the glyphs, their order and the layers.', d('seed')),
        ),
      ),
      group(
        'Inference',
        this.settingControl('times', 'times after programming', { kind: 'text' }, 'e.g. 1s, 1h, 1d, 1w, 1mo, 1y, 10y', (v) => {
          try {
            this.setDrift({ ...this.state.drift, times: parseTimes(String(v)) });
          } catch (e) {
            if (e instanceof SettingError) this.controls.get('times')!.setError(e.message);
            else throw e;
          }
        }),
        this.settingControl('repeats', 'repeats', { kind: 'number', integer: true }, 'Programming repeats (new programming noise, drift exponents and read noise each): mean ± std.', d('repeats')),
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
        h('p', { class: 'note' }, 'crossbar-model@1 JSON (saveModel of @crossbar/modules) with 64 inputs and 10 outputs.'),
      ),
    ];
  }

  // ------------------------------------------------------------ state

  /** Shows the whole state in the controls and recomputes (after a link, a load or a reset). */
  private applyState(recompute: boolean): void {
    this.engineSelect.value = this.state.engine;
    this.checkConfig();
    this.checkTile();
    this.checkDrift();
    this.showView(this.state.view, false);
    this.saveUrl(true);
    if (recompute) {
      this.markTile();
      this.markDrift();
      this.schedule();
    }
  }

  private saveUrl(now = false): void {
    clearTimeout(this.urlTimer);
    const write = () => {
      const hash = encodeState(this.state);
      const url = `${location.pathname}${location.search}${hash}`;
      history.replaceState(null, '', url || location.pathname);
      this.shareLink.value = location.href;
    };
    if (now) write();
    else this.urlTimer = setTimeout(write, 150);
  }

  private showBanner(message: string | null): void {
    this.banner.hidden = message === null;
    this.banner.replaceChildren(...(message === null ? [] : [h('span', {}, message), h('button', { type: 'button', class: 'close', 'aria-label': 'Dismiss', onclick: () => this.showBanner(null) }, '×')]));
  }

  private showView(view: View, save = true): void {
    this.state.view = view;
    for (const [v, el] of this.views) el.hidden = v !== view;
    for (const [v, b] of this.tabs) b.setAttribute('aria-selected', String(v === view));
    document.body.dataset.view = view;
    if (save) {
      this.saveUrl();
      this.schedule();
    }
  }

  private setEngine(name: EngineName): void {
    this.state.engine = name;
    this.saveUrl();
    this.markTile();
    this.markDrift();
    pageEngine(name).then(
      () => this.showBanner(null),
      (e) => {
        this.showBanner(`${messageOf(e)}. The page goes on with the ndarray engine.`);
        this.state.engine = 'ndarray';
        this.engineSelect.value = 'ndarray';
        this.saveUrl();
      },
    );
    this.schedule();
  }

  // ---- config

  private setConfigValue(path: string[], value: unknown): void {
    this.state.config = setPath(this.state.config, path, value);
    this.configChanged();
  }

  private configChanged(): void {
    this.checkConfig();
    this.saveUrl();
    this.markTile();
    this.markDrift();
    this.schedule();
  }

  private setConfigType(type: string): void {
    if (type === this.state.config.type) return;
    const next = baseDict(type);
    // keep the forward IOParameters where both classes have them
    if (isPlain(this.state.config.forward) && isPlain(next.forward)) next.forward = structuredClone(this.state.config.forward);
    this.state.config = next;
    this.configChanged();
  }

  /** Checks the config as entered: marks the control of a refused field, shows the last good config's text. */
  private checkConfig(): void {
    for (const key of this.configPaths.keys()) this.controls.get(key)!.setError(null);
    this.controls.get('configType')?.setError(null);
    let error: string | null = null;
    try {
      this.config = rpuConfigFromDict(this.state.config);
    } catch (e) {
      if (!(e instanceof CrossbarError)) throw e;
      error = e.message;
      const key = e instanceof ConfigError && e.detail ? e.detail.path.join('.') : '';
      const c = this.controls.get(key);
      if (c) c.setError(`${e.message} — not applied`);
    }
    this.configMessage.hidden = error === null;
    this.configMessage.textContent = error === null ? '' : `The config as entered is not valid, so the page computes with the last valid one: ${error}`;
    for (const n of this.notices) {
      n.hidden = error === null;
      n.textContent = error === null ? '' : `Not applied (the results are for the last valid config): ${error}`;
    }
    document.body.dataset.configValid = String(error === null);
    // controls show the config as entered
    this.controls.get('configType')!.setValue(this.state.config.type);
    const fwd = isPlain(this.state.config.forward);
    const inference = this.state.config.type === 'InferenceRPUConfig';
    for (const [key, path] of this.configPaths) {
      const c = this.controls.get(key)!;
      c.setValue(getPath(this.state.config, path));
      c.setDisabled(key.startsWith('forward.') ? !fwd : !inference);
    }
    this.controls.get('forward.inpRes')?.setNote(describeResolution(Number(getPath(this.state.config, ['forward', 'inp_res']))));
    this.controls.get('forward.outRes')?.setNote(describeResolution(Number(getPath(this.state.config, ['forward', 'out_res']))));
    if (!fwd) this.controls.get('forward.mvType')?.setNote(`${String(this.state.config.type)} has no forward IOParameters: the MVM is exact`);
    else this.controls.get('forward.mvType')?.setNote('');
    // the config view shows the last valid config
    const dict = rpuConfigToDict(this.config);
    this.configPython.textContent = `rpu_config_dict = ${pythonDictLiteral(this.config)}\n`;
    this.configScript.textContent = aihwkitScript(this.config);
    this.configJson.textContent = JSON.stringify(dict, null, 2);
  }

  private loadConfigText(text: string): void {
    let dict: Record<string, unknown>;
    let config: RPUConfig;
    try {
      dict = parseDictText(text);
      config = rpuConfigFromDict(dict);
    } catch (e) {
      if (!(e instanceof CrossbarError)) throw e;
      this.configMessage.hidden = false;
      this.configMessage.textContent = `Not loaded: ${e.message}`;
      return;
    }
    this.state.config = rpuConfigToDict(config);
    this.configChanged();
    this.configMessage.hidden = false;
    this.configMessage.textContent = `Loaded a ${config.constructor.name}.`;
  }

  private resetConfig(): void {
    this.state.config = baseDict('InferenceRPUConfig');
    this.configChanged();
  }

  // ---- tile settings

  private setTile(next: TileSettings): void {
    this.state.tile = next;
    this.checkTile();
    this.saveUrl();
    this.markTile();
    this.schedule();
  }

  private checkTile(): void {
    const s = this.state.tile;
    for (const k of ['outSize', 'inSize', 'batch', 'seed', 'weights.dist', 'weights.scale', 'inputs.dist', 'inputs.scale']) {
      const c = this.controls.get(k)!;
      c.setError(null);
      const [a, b] = k.split('.') as [keyof TileSettings, string | undefined];
      const v = b === undefined ? s[a] : (s[a] as unknown as Record<string, unknown>)[b];
      c.setValue(v);
    }
    try {
      this.tileSettings = checkTileSettings(s);
    } catch (e) {
      if (!(e instanceof SettingError)) throw e;
      (this.controls.get(e.setting) ?? this.controls.get('outSize'))!.setError(`${e.message} — not applied`);
    }
    this.controls.get('outSize')!.setDisabled(this.uploads.weights !== undefined);
    this.controls.get('inSize')!.setDisabled(this.uploads.weights !== undefined || this.uploads.inputs !== undefined);
    this.controls.get('batch')!.setDisabled(this.uploads.inputs !== undefined);
    for (const k of ['weights.dist', 'weights.scale']) this.controls.get(k)!.setDisabled(this.uploads.weights !== undefined);
    for (const k of ['inputs.dist', 'inputs.scale']) this.controls.get(k)!.setDisabled(this.uploads.inputs !== undefined);
  }

  private async upload(which: 'weights' | 'inputs', input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    try {
      const m = parseMatrix(await file.text(), `${which === 'weights' ? 'W' : 'x'} (${file.name})`);
      this.uploads[which] = { ...m, name: file.name };
    } catch (e) {
      if (!(e instanceof CrossbarError)) throw e;
      this.showTileMessage(e.message);
      input.value = '';
      return;
    }
    input.value = '';
    this.renderUploads();
    this.checkTile();
    this.markTile();
    this.schedule();
  }

  private renderUploads(): void {
    const parts: (HTMLElement | string)[] = [];
    for (const which of ['weights', 'inputs'] as const) {
      const u = this.uploads[which];
      if (!u) continue;
      parts.push(
        h(
          'span',
          { class: 'upload' },
          `${which === 'weights' ? 'W' : 'x'} from ${u.name} (${u.rows} × ${u.cols}) `,
          h('button', { type: 'button', class: 'small', onclick: () => { delete this.uploads[which]; this.renderUploads(); this.checkTile(); this.markTile(); this.schedule(); } }, 'clear'),
        ),
      );
    }
    if (parts.length) parts.push(h('span', {}, 'Uploaded matrices are not part of the link.'));
    this.uploadInfo.replaceChildren(...parts);
  }

  /** The tile's W and x: uploaded, else seeded. */
  private tileData(s: TileSettings): { w: Float32Array; x: Float32Array; outSize: number; inSize: number; batch: number; describe: string } {
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

  // ---- drift settings

  private setDrift(next: DriftSettings): void {
    this.state.drift = next;
    this.checkDrift();
    this.saveUrl();
    this.markDrift();
    this.schedule();
  }

  private checkDrift(): void {
    const s = this.state.drift;
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
      this.controls.get(k)!.setError(null);
      this.controls.get(k)!.setValue(v);
    }
    const times = this.controls.get('times')!;
    times.setError(null);
    if (document.activeElement !== times.input) times.setValue(Array.isArray(s.times) ? formatTimes(s.times) : String(s.times));
    try {
      this.driftSettings = checkDriftSettings(s);
    } catch (e) {
      if (!(e instanceof SettingError)) throw e;
      (this.controls.get(e.setting) ?? this.controls.get('hidden'))!.setError(`${e.message} — not applied`);
    }
  }

  // ------------------------------------------------------------ computing

  private markTile(): void {
    this.tileStale = true;
    this.tileVersion++;
    document.body.dataset.tileFresh = 'false';
  }

  private markDrift(): void {
    this.driftStale = true;
    this.driftVersion++;
    document.body.dataset.driftFresh = 'false';
  }

  /** Recomputes the visible view soon (changes within the delay are taken together). */
  private schedule(): void {
    if (this.state.view === 'tile' && this.tileStale) {
      clearTimeout(this.tileTimer);
      this.tileTimer = setTimeout(() => void this.tileJob.request(), 120);
    }
    if (this.state.view === 'drift' && this.driftStale) {
      clearTimeout(this.driftTimer);
      this.driftGen++; // a running computation stops at its next batch
      this.driftTimer = setTimeout(() => void this.driftJob.request(), 300);
    }
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
  }

  private showTileMessage(message: string | null): void {
    this.tileMessage.hidden = message === null;
    this.tileMessage.textContent = message ?? '';
  }

  private async computeTile(): Promise<void> {
    this.tileStale = false;
    const version = this.tileVersion;
    document.body.dataset.tileStatus = 'busy';
    this.setStatus('tile: computing…');
    try {
      const engine = await pageEngine(this.state.engine);
      const s = this.tileSettings;
      const data = this.tileData(s);
      const config = this.config;
      const run = await runTile(engine.backend, config, data.w, data.x, { outSize: data.outSize, inSize: data.inSize, batch: data.batch, seed: s.seed });
      if (this.tileJob.superseded) return; // a newer request follows at once
      this.showTileMessage(nonFiniteNote(run.analog, config));
      this.renderTile(run, engine.label, data.describe, config);
      this.tileRuns++;
      document.body.dataset.tileRuns = String(this.tileRuns);
      document.body.dataset.tileEngine = engine.name;
      document.body.dataset.tileStatus = 'done';
      document.body.dataset.tileFresh = String(version === this.tileVersion);
      this.setStatus(`tile: done on ${engine.name}`);
    } catch (e) {
      if (!(e instanceof CrossbarError)) console.error(e);
      this.showTileMessage(`Not computed: ${messageOf(e)}`);
      document.body.dataset.tileStatus = 'error';
      document.body.dataset.tileFresh = String(version === this.tileVersion);
      this.setStatus('tile: not computed (see the message)');
    }
  }

  private renderTile(run: TileRun, engineLabel: string, describe: string, config: RPUConfig): void {
    const s = run.stats;
    this.tileInfo.replaceChildren(
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
    this.tileNumbers.replaceChildren(
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
    this.tilePlots.replaceChildren(scatter, hist, passesPlot);
  }

  // ---- drift

  private trainingKey(): string {
    const dict = rpuConfigToDict(this.config);
    delete dict.noise_model;
    delete dict.drift_compensation;
    const s = this.driftSettings;
    return JSON.stringify({ engine: this.state.engine, dict, s: [s.seed, s.hidden, s.epochs, s.batchSize, s.lr, s.trainSize, s.testSize, s.pixelNoise] });
  }

  private curvesKey(entry: ModelEntry): string {
    const s = this.driftSettings;
    const dict = rpuConfigToDict(this.config);
    return JSON.stringify({ id: entry.id, engine: this.state.engine, nm: dict.noise_model, s: [s.seed, s.testSize, s.pixelNoise, s.repeats, s.times] });
  }

  private showDriftMessage(message: string | null): void {
    this.driftMessage.hidden = message === null;
    this.driftMessage.textContent = message ?? '';
  }

  private async computeDrift(): Promise<void> {
    this.driftStale = false;
    const gen = this.driftGen;
    const version = this.driftVersion;
    const cancelled = () => gen !== this.driftGen;
    document.body.dataset.driftStatus = 'busy';
    this.driftProgress.hidden = false;
    const progress = (message: string, fraction: number) => {
      this.driftProgress.value = fraction;
      this.setStatus(message);
    };
    try {
      const config = inferenceConfigOf(this.config);
      const s = this.driftSettings;
      const engine = await pageEngine(this.state.engine);
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
      this.showDriftMessage(null);
      this.renderDrift(entry, this.curves.result, engine.label, config);
      this.driftRuns++;
      document.body.dataset.driftRuns = String(this.driftRuns);
      document.body.dataset.driftStatus = 'done';
      document.body.dataset.driftFresh = String(version === this.driftVersion);
      this.setStatus(`drift: done on ${engine.name}`);
    } catch (e) {
      if (e instanceof Cancelled) return; // a newer request runs next
      if (!(e instanceof CrossbarError)) console.error(e);
      this.showDriftMessage(`Not computed: ${messageOf(e)}`);
      document.body.dataset.driftStatus = 'error';
      document.body.dataset.driftFresh = String(version === this.driftVersion);
      this.setStatus('drift: not computed (see the message)');
    } finally {
      this.driftProgress.hidden = true;
    }
  }

  private renderDrift(entry: ModelEntry, curves: DriftCurves, engineLabel: string, config: InferenceRPUConfig): void {
    const m = entry.model;
    const pinned = entry.source === 'loaded' ? ` (loaded from ${entry.key}; "Train anew" trains with the settings here)` : '';
    this.driftInfo.replaceChildren(
      h('span', { id: 'drift-engine' }, engineLabel),
      ` · ${entry.source === 'trained' ? `trained in ${m.seconds.toFixed(1)} s` : 'loaded model'}${pinned} · programming and drift in ${curves.seconds.toFixed(1)} s`,
      h('br'),
      h('span', { class: 'note' }, `g_max ${config.noiseModel.gMax} µS, drift_scale ${config.noiseModel.driftScale}, prog_noise_scale ${config.noiseModel.progNoiseScale}, read_noise_scale ${config.noiseModel.readNoiseScale}; ${this.driftSettings.repeats} programming repeat(s), ${this.driftSettings.testSize} test glyphs`),
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
    this.driftPlot.replaceChildren(plot);
    const pm = (a: { mean: number; std: number }) => (this.driftSettings.repeats > 1 ? `${formatPercent(a.mean)} ± ${(100 * a.std).toFixed(1)}` : formatPercent(a.mean));
    this.driftTable.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', {}, 'time'), h('th', {}, 'compensated'), h('th', {}, 'not compensated'), h('th', {}, 'compensation factor'))),
      h(
        'tbody',
        {},
        h('tr', {}, h('th', {}, 'before programming'), h('td', { id: 'acc-before', 'data-value': curves.beforeProgramming }, formatPercent(curves.beforeProgramming)), h('td', {}, '–'), h('td', {}, '–')),
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
    this.driftHistory.textContent = m.history.length
      ? `Training (test accuracy per epoch): ${m.history.map((r) => formatPercent(r.testAccuracy)).join(', ')}`
      : '';
  }

  private retrain(): void {
    this.modelEntry = null;
    this.curves = null;
    this.markDrift();
    this.schedule();
  }

  private saveModelFile(): void {
    if (!this.modelEntry) {
      this.showDriftMessage('No model yet: wait for the training to finish.');
      return;
    }
    downloadText('crossbar-playground-model.json', JSON.stringify(this.modelEntry.model.saved));
  }

  private async loadModelFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      let saved: SavedModel;
      try {
        saved = JSON.parse(await file.text()) as SavedModel;
      } catch (e) {
        throw new SettingError('model', `${file.name} is not JSON: ${messageOf(e)}`);
      }
      if (!isPlain(saved) || saved.format !== MODEL_FORMAT) {
        throw new SettingError('model', `${file.name} is not a saved model: expected "format": "${MODEL_FORMAT}" (saveModel of @crossbar/modules)`);
      }
      checkModelShape(saved);
      const firstConfig = findRpuConfig(saved.architecture as unknown as Record<string, unknown>);
      if (!firstConfig) throw new SettingError('model', `${file.name}: its layers name no RPU config`);
      const config = inferenceConfigOf(rpuConfigFromDict(firstConfig));
      const engine = await pageEngine(this.state.engine);
      const model = (await loadModel(saved, { engine: engine.backend, rpuConfig: config })).eval();
      let before: number;
      try {
        before = await accuracy(model, glyphData(this.driftSettings).test);
      } finally {
        await model.dispose();
      }
      this.state.config = rpuConfigToDict(config);
      this.modelEntry = { id: this.nextModelId++, source: 'loaded', key: file.name, engine: engine.name, model: { saved, history: [], beforeProgramming: before, seconds: 0 } };
      this.curves = null;
      this.configChanged();
    } catch (e) {
      if (!(e instanceof CrossbarError)) console.error(e);
      this.showDriftMessage(`Not loaded: ${messageOf(e)}`);
    }
  }
}

/** A note when some analog outputs are NaN or ±inf (the statistics are NaN then). */
function nonFiniteNote(y: Float32Array, config: RPUConfig): string | null {
  let bad = 0;
  for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i]!)) bad++;
  if (bad === 0) return null;
  const fwd = (config as { forward?: IOParameters }).forward;
  const why =
    fwd && fwd.outBound === Infinity
      ? ' aihwkit 0.7.1 gives NaN for out_bound = inf too; out_bound ≤ 0 is its unbounded output.'
      : '';
  return `${bad} of ${y.length} analog outputs are not finite numbers, so the statistics are NaN.${why}`;
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

