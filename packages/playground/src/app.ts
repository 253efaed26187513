/**
 * The page: header (views, engine), the tile view, the drift view and the
 * config view (one module each: tile-view.ts, drift-view.ts, config-view.ts),
 * all driven by one PageState that is mirrored in the URL (page.ts).
 *
 * A change goes: control → state (as typed) → checks (the RPU config through
 * rpuConfigFromDict, settings through settings.ts) → messages at the controls
 * → recomputation of the visible view with the last values that passed.
 */
import { rpuConfigFromDict } from '@crossbar/core';
import { ConfigView } from './config-view.js';
import { DriftView } from './drift-view.js';
import { pageEngine } from './engines.js';
import { messageOf, Page } from './page.js';
import { baseDict, decodeState, encodeState, type EngineName, type PageState, type View } from './state.js';
import { TileView } from './tile-view.js';
import { h } from './ui.js';

export class App {
  private readonly page: Page;
  private readonly tile: TileView;
  private readonly drift: DriftView;
  private readonly views = new Map<View, HTMLElement>();
  private readonly tabs = new Map<View, HTMLButtonElement>();
  private readonly engineSelect: HTMLSelectElement;

  constructor(root: HTMLElement) {
    let linkError: string | null = null;
    let state: PageState;
    try {
      state = decodeState(location.hash);
    } catch (e) {
      linkError = `${messageOf(e)}. The page starts from its defaults.`;
      state = decodeState('');
    }
    const page = new Page(state, rpuConfigFromDict(baseDict('InferenceRPUConfig')));
    this.page = page;

    // ---- header
    this.engineSelect = h(
      'select',
      { id: 'engine', name: 'engine', onchange: () => this.setEngine(this.engineSelect.value as EngineName) },
      h('option', { value: 'wasm' }, 'wasm (WebAssembly SIMD)'),
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
    const header = h('header', {}, h('h1', {}, 'Crossbar playground'), nav, h('label', { class: 'engine', for: 'engine' }, 'Engine ', this.engineSelect), page.status);

    // ---- views
    this.tile = new TileView(page);
    this.drift = new DriftView(page);
    const config = new ConfigView(page);
    this.views.set('tile', this.tile.element);
    this.views.set('drift', this.drift.element);
    this.views.set('config', config.element);
    const footer = h('footer', {}, 'Crossbar: aihwkit 0.7.1 physics in TypeScript. Everything runs in this page; nothing is sent anywhere.');
    root.replaceChildren(header, page.banner, this.tile.element, this.drift.element, config.element, footer);

    if (linkError) page.showBanner(linkError);
    this.applyState(true);
    this.checkEngine();
    window.addEventListener('hashchange', () => {
      if (location.hash === encodeState(page.state)) return;
      try {
        page.state = decodeState(location.hash);
        this.applyState(true);
      } catch (e) {
        page.showBanner(`${messageOf(e)}. The settings were left as they were.`);
      }
    });
  }

  /** Shows the whole state in the controls and recomputes (after a link, a load or a reset). */
  private applyState(recompute: boolean): void {
    const page = this.page;
    this.engineSelect.value = page.state.engine;
    page.checkConfig();
    this.tile.check();
    this.drift.check();
    this.showView(page.state.view, false);
    page.saveUrl(true);
    if (recompute) {
      page.markAll();
      page.schedule();
    }
  }

  private showView(view: View, save = true): void {
    const page = this.page;
    page.state.view = view;
    for (const [v, el] of this.views) el.hidden = v !== view;
    for (const [v, b] of this.tabs) b.setAttribute('aria-selected', String(v === view));
    document.body.dataset.view = view;
    if (save) {
      page.saveUrl();
      page.schedule();
    }
  }

  private setEngine(name: EngineName): void {
    const page = this.page;
    page.state.engine = name;
    page.saveUrl();
    page.markAll();
    this.checkEngine(true);
    page.schedule();
  }

  /**
   * Makes the state's engine; where it cannot run here (the wasm engine without
   * WebAssembly SIMD, gpu.js without WebGL2) the page says why and goes on with ndarray.
   */
  private checkEngine(clearBanner = false): void {
    const page = this.page;
    const name = page.state.engine;
    pageEngine(name).then(
      () => clearBanner && page.showBanner(null),
      (e) => {
        if (page.state.engine !== name) return;
        page.showBanner(`${messageOf(e)}. The page goes on with the ndarray engine.`);
        page.state.engine = 'ndarray';
        this.engineSelect.value = 'ndarray';
        page.saveUrl();
        page.markAll();
        page.schedule();
      },
    );
  }
}
