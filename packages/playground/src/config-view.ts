/**
 * The config view: the last valid RPU config as an aihwkit dict (Python and
 * JSON) and as an aihwkit 0.7.1 script, a box to load a dict, and the link
 * that shares the whole setup.
 */
import { CrossbarError, rpuConfigFromDict, rpuConfigToDict, type RPUConfig } from '@crossbar/core';
import type { Page } from './page.js';
import { aihwkitScript, parseDictText, pythonDictLiteral } from './python.js';
import { baseDict } from './state.js';
import { copyText, h } from './ui.js';

export class ConfigView {
  readonly element: HTMLElement;
  private readonly python: HTMLElement;
  private readonly script: HTMLElement;
  private readonly json: HTMLElement;
  private readonly message: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly shareLink: HTMLInputElement;

  constructor(private readonly page: Page) {
    this.python = h('pre', { id: 'config-python', class: 'code' });
    this.script = h('pre', { id: 'config-script', class: 'code' });
    this.json = h('pre', { id: 'config-json', class: 'code' });
    this.message = h('div', { id: 'config-message', class: 'message', role: 'alert', hidden: true });
    this.input = h('textarea', {
      id: 'config-input',
      rows: 10,
      spellcheck: 'false',
      placeholder: "Paste an aihwkit dict (Python or JSON), e.g. {'type': 'InferenceRPUConfig', 'forward': {'out_noise': 0.1}}",
    });
    this.shareLink = h('input', { id: 'share-link', type: 'text', readonly: true });
    const copyButton = (label: string, text: () => string, source: () => HTMLElement | null) => {
      const b: HTMLButtonElement = h('button', { type: 'button', onclick: async () => (b.textContent = `${label}: ${await copyText(text(), source())}`) }, label);
      return b;
    };
    this.element = h(
      'section',
      { id: 'view-config', class: 'view config', role: 'tabpanel' },
      h(
        'div',
        { class: 'config-col' },
        h('h2', {}, 'The RPU config as an aihwkit dict'),
        h(
          'p',
          { class: 'note' },
          "What dataclasses.asdict(rpu_config) gives in Python, plus a 'type' key: paste it into Python as a dict, or into the box on the right.",
        ),
        copyButton(
          'Copy dict',
          () => this.python.textContent ?? '',
          () => this.python,
        ),
        this.python,
        h('h2', {}, 'The same config in aihwkit 0.7.1'),
        copyButton(
          'Copy script',
          () => this.script.textContent ?? '',
          () => this.script,
        ),
        this.script,
        h('details', {}, h('summary', {}, 'JSON (rpuConfigToDict)'), this.json),
      ),
      h(
        'div',
        { class: 'config-col' },
        h('h2', {}, 'Load a config'),
        h('p', { class: 'note' }, "An aihwkit dict as a Python literal (True, None, float('inf')) or JSON; missing keys keep their defaults."),
        this.input,
        h(
          'div',
          { class: 'buttons' },
          h('button', { type: 'button', id: 'config-load', onclick: () => this.loadText(this.input.value) }, 'Load config'),
          h('button', { type: 'button', id: 'config-reset', onclick: () => this.reset() }, 'Reset to the page default'),
        ),
        this.message,
        h('h2', {}, 'Share this setup'),
        h('p', { class: 'note' }, 'The link holds the view, the engine, the config and the settings (not uploaded matrices or a loaded model).'),
        this.shareLink,
        copyButton(
          'Copy link',
          () => this.shareLink.value,
          () => this.shareLink,
        ),
      ),
    );
    page.configListeners.push((error) => this.show(error));
    page.urlListeners.push(() => (this.shareLink.value = location.href));
  }

  /** After each check of the config: whether it was valid, and the last valid config's text. */
  private show(error: string | null): void {
    this.message.hidden = error === null;
    this.message.textContent = error === null ? '' : `The config as entered is not valid, so the page computes with the last valid one: ${error}`;
    const config = this.page.config;
    this.python.textContent = `rpu_config_dict = ${pythonDictLiteral(config)}\n`;
    this.script.textContent = aihwkitScript(config);
    this.json.textContent = JSON.stringify(rpuConfigToDict(config), null, 2);
  }

  private loadText(text: string): void {
    let config: RPUConfig;
    try {
      config = rpuConfigFromDict(parseDictText(text));
    } catch (e) {
      if (!(e instanceof CrossbarError)) throw e;
      this.message.hidden = false;
      this.message.textContent = `Not loaded: ${e.message}`;
      return;
    }
    this.page.state.config = rpuConfigToDict(config);
    this.page.configChanged();
    this.message.hidden = false;
    this.message.textContent = `Loaded a ${config.constructor.name}.`;
  }

  private reset(): void {
    this.page.state.config = baseDict('InferenceRPUConfig');
    this.page.configChanged();
  }
}
