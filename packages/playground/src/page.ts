/**
 * What the three views share: the PageState (mirrored in the URL), the last
 * RPU config that passed its checks, the controls by key, the status line and
 * the banner, and the path of a config change (control → state → checks →
 * messages at the controls → recomputation of the visible view).
 */
import { ConfigError, CrossbarError, camelToSnake, pyName, rpuConfigFromDict, type Field, type RPUConfig } from '@crossbar/core';
import { describeResolution } from './format.js';
import { encodeState, getPath, isPlain, setPath, type PageState, type View } from './state.js';
import { control, h, kindOfField, type Control } from './ui.js';

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs a job one at a time: requests while it runs become one more run after it. */
export class Serial {
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

/** A view that computes: marked stale by the changes it depends on, recomputed when visible. */
export interface ComputingView {
  readonly name: View;
  /** Records that the view's result is out of date. */
  mark(): void;
  /** Recomputes soon if the view is visible and stale. */
  schedule(): void;
}

/**
 * What the tile and drift views share: settings checked on each change, a
 * result that goes stale, and one computation at a time `delayMs` after the
 * last change (changes within the delay are taken together).
 */
export abstract class ComputingViewBase implements ComputingView {
  abstract readonly name: 'tile' | 'drift';
  protected stale = true;
  /** Bumped by every change the view depends on; a result is fresh when computed at the current version. */
  protected version = 0;
  protected readonly job = new Serial(() => this.compute());
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    protected readonly page: Page,
    private readonly delayMs: number,
  ) {
    page.addView(this);
  }

  /** Shows the settings as entered; keeps the last ones that pass their checks. */
  abstract check(): void;
  protected abstract compute(): Promise<void>;
  /** Called when a computation is scheduled (e.g. to stop a running one). */
  protected onSchedule(): void {}

  mark(): void {
    this.stale = true;
    this.version++;
    document.body.dataset[`${this.name}Fresh`] = 'false';
  }

  schedule(): void {
    if (this.page.state.view !== this.name || !this.stale) return;
    clearTimeout(this.timer);
    this.onSchedule();
    this.timer = setTimeout(() => void this.job.request(), this.delayMs);
  }

  /** After a settings change: check, keep it in the link, recompute. */
  protected settingsChanged(): void {
    this.check();
    this.page.saveUrl();
    this.mark();
    this.page.schedule();
  }
}

export class Page {
  /** The page's state as entered (what the URL holds). */
  state: PageState;
  /** The last config that passed its checks (what the views compute with). */
  config: RPUConfig;

  readonly controls = new Map<string, Control>();
  /** The dict path (snake_case) of each config control's field. */
  readonly configPaths = new Map<string, string[]>();
  readonly status: HTMLElement;
  readonly banner: HTMLElement;

  /** Called after each check of the config with its error (null: valid), e.g. by the config view. */
  readonly configListeners: Array<(error: string | null) => void> = [];
  /** Called after the URL is written (the config view's share link). */
  readonly urlListeners: Array<() => void> = [];

  private readonly notices: HTMLElement[] = [];
  private readonly views: ComputingView[] = [];
  private urlTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(state: PageState, config: RPUConfig) {
    this.state = state;
    this.config = config;
    this.status = h('span', { id: 'status', class: 'status', 'aria-live': 'polite' }, 'ready');
    this.banner = h('div', { id: 'banner', class: 'banner', role: 'alert', hidden: true });
  }

  addView(view: ComputingView): void {
    this.views.push(view);
  }

  // ------------------------------------------------------------ controls

  /** Where a view says that the config as entered is not valid (the field's control has the details). */
  configNotice(view: string): HTMLElement {
    const n = h('div', { id: `${view}-config-notice`, class: 'message', role: 'alert', hidden: true });
    this.notices.push(n);
    return n;
  }

  addControl(c: Control): HTMLElement {
    this.controls.set(c.key, c);
    return c.element;
  }

  /** A control for config field `camel` (a path of camelCase field names from the RPU config). */
  configControl(camel: string[], field: Field, label?: string): HTMLElement {
    const leaf = pyName(camel[camel.length - 1]!, field);
    const path = [...camel.slice(0, -1).map(camelToSnake), leaf];
    const key = camel.join('.');
    this.configPaths.set(key, path);
    return this.addControl(control(key, label ?? leaf, kindOfField(field), field.doc, (v) => this.setConfigValue(path, v)));
  }

  settingControl(key: string, label: string, kind: Parameters<typeof control>[2], help: string, set: (v: unknown) => void): HTMLElement {
    return this.addControl(control(key, label, kind, help, set));
  }

  control(key: string): Control {
    return this.controls.get(key)!;
  }

  // ------------------------------------------------------------ page

  saveUrl(now = false): void {
    clearTimeout(this.urlTimer);
    const write = () => {
      const hash = encodeState(this.state);
      const url = `${location.pathname}${location.search}${hash}`;
      history.replaceState(null, '', url || location.pathname);
      for (const l of this.urlListeners) l();
    };
    if (now) write();
    else this.urlTimer = setTimeout(write, 150);
  }

  showBanner(message: string | null): void {
    this.banner.hidden = message === null;
    const close = () => h('button', { type: 'button', class: 'close', 'aria-label': 'Dismiss', onclick: () => this.showBanner(null) }, '×');
    this.banner.replaceChildren(...(message === null ? [] : [h('span', {}, message), close()]));
  }

  setStatus(text: string): void {
    this.status.textContent = text;
  }

  /** Marks every view stale (a change all of them depend on: the engine, the config). */
  markAll(): void {
    for (const v of this.views) v.mark();
  }

  /** Recomputes the visible view soon (changes within the delay are taken together). */
  schedule(): void {
    for (const v of this.views) v.schedule();
  }

  // ------------------------------------------------------------ config

  setConfigValue(path: string[], value: unknown): void {
    this.state.config = setPath(this.state.config, path, value);
    this.configChanged();
  }

  configChanged(): void {
    this.checkConfig();
    this.saveUrl();
    this.markAll();
    this.schedule();
  }

  /** Checks the config as entered: marks the control of a refused field; the listeners show the last good config. */
  checkConfig(): void {
    for (const key of this.configPaths.keys()) this.control(key).setError(null);
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
    for (const n of this.notices) {
      n.hidden = error === null;
      n.textContent = error === null ? '' : `Not applied (the results are for the last valid config): ${error}`;
    }
    document.body.dataset.configValid = String(error === null);
    // controls show the config as entered
    this.control('configType').setValue(this.state.config.type);
    const fwd = isPlain(this.state.config.forward);
    const inference = this.state.config.type === 'InferenceRPUConfig';
    for (const [key, path] of this.configPaths) {
      const c = this.control(key);
      c.setValue(getPath(this.state.config, path));
      c.setDisabled(key.startsWith('forward.') ? !fwd : !inference);
    }
    this.controls.get('forward.inpRes')?.setNote(describeResolution(Number(getPath(this.state.config, ['forward', 'inp_res']))));
    this.controls.get('forward.outRes')?.setNote(describeResolution(Number(getPath(this.state.config, ['forward', 'out_res']))));
    if (!fwd) this.controls.get('forward.mvType')?.setNote(`${String(this.state.config.type)} has no forward IOParameters: the MVM is exact`);
    else this.controls.get('forward.mvType')?.setNote('');
    for (const l of this.configListeners) l(error);
  }
}
