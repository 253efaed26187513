/**
 * DOM helpers and the page's form controls. A control shows a value, reads
 * what the user typed (refusing text that is not a value of its kind, with a
 * message under it) and shows the message of a refused value.
 */
import type { Field } from '@crossbar/core';

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

/** document.createElement with attributes (on* keys become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/** A value the user typed that is not of the control's kind. */
export class TypedValueError extends Error {}

export type ControlKind =
  | { kind: 'number'; allowInfinity?: boolean; integer?: boolean }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'numberList' }
  | { kind: 'text' };

export interface Control {
  readonly key: string;
  readonly element: HTMLElement;
  readonly input: HTMLInputElement | HTMLSelectElement;
  setValue(v: unknown): void;
  setError(message: string | null): void;
  setDisabled(disabled: boolean): void;
  /** Extra line under the control (e.g. "127 levels ≈ 7 bits"). */
  setNote(note: string): void;
}

function showNumber(v: unknown): string {
  if (v === 'inf' || v === Infinity) return 'inf';
  if (v === '-inf' || v === -Infinity) return '-inf';
  return typeof v === 'number' ? (Number.isNaN(v) ? '' : String(v)) : String(v ?? '');
}

/** Reads a control's text as its kind; throws TypedValueError saying what is expected. */
export function readTyped(kind: ControlKind, raw: string | boolean): unknown {
  switch (kind.kind) {
    case 'boolean':
      return raw === true;
    case 'enum':
    case 'text':
      return raw;
    case 'number': {
      const s = String(raw).trim().toLowerCase();
      if (s === '') throw new TypedValueError('enter a number');
      if (kind.allowInfinity && (s === 'inf' || s === '+inf' || s === 'infinity')) return 'inf';
      if (kind.allowInfinity && (s === '-inf' || s === '-infinity')) return '-inf';
      const v = Number(s);
      if (!Number.isFinite(v)) throw new TypedValueError(`"${String(raw).trim()}" is not a number${kind.allowInfinity ? ' (or inf)' : ''}`);
      if (kind.integer && !Number.isInteger(v)) throw new TypedValueError(`"${String(raw).trim()}" is not a whole number`);
      return v;
    }
    case 'numberList': {
      const parts = String(raw)
        .split(/[,\s]+/)
        .filter((p) => p !== '');
      if (parts.length === 0) throw new TypedValueError('enter numbers separated by commas');
      return parts.map((p) => {
        const v = Number(p);
        if (!Number.isFinite(v)) throw new TypedValueError(`"${p}" is not a number`);
        return v;
      });
    }
  }
}

/** The control kind of a config field. */
export function kindOfField(field: Field): ControlKind {
  switch (field.kind) {
    case 'number':
      return { kind: 'number', allowInfinity: field.allowInfinity, integer: field.integer };
    case 'boolean':
      return { kind: 'boolean' };
    case 'enum':
      return { kind: 'enum', values: field.values };
    case 'numberList':
      return { kind: 'numberList' };
    default:
      return { kind: 'text' };
  }
}

/**
 * A labelled control. `onValue` gets the typed value (after TypedValueError
 * checks, which the control shows itself); `testId` names the input for tests.
 */
export function control(key: string, label: string, kind: ControlKind, help: string, onValue: (v: unknown) => void): Control {
  const id = `c-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  let input: HTMLInputElement | HTMLSelectElement;
  if (kind.kind === 'enum') {
    input = h('select', { id, name: key }, ...kind.values.map((v) => h('option', { value: v }, v)));
  } else if (kind.kind === 'boolean') {
    input = h('input', { id, name: key, type: 'checkbox' });
  } else {
    input = h('input', { id, name: key, type: 'text', inputmode: kind.kind === 'number' ? 'decimal' : undefined, spellcheck: 'false', autocomplete: 'off' });
  }
  const error = h('div', { class: 'error', role: 'alert', hidden: true });
  const note = h('div', { class: 'note', hidden: true });
  const lab = h('label', { for: id, title: help }, label);
  const element = h(
    'div',
    { class: `control control-${kind.kind}`, 'data-key': key },
    kind.kind === 'boolean' ? h('div', { class: 'check' }, input, lab) : lab,
    kind.kind === 'boolean' ? null : input,
    note,
    error,
  );
  const setError = (message: string | null) => {
    error.hidden = message === null;
    error.textContent = message ?? '';
    element.classList.toggle('invalid', message !== null);
    input.setAttribute('aria-invalid', message === null ? 'false' : 'true');
  };
  const read = () => {
    const raw = kind.kind === 'boolean' ? (input as HTMLInputElement).checked : input.value;
    let v: unknown;
    try {
      v = readTyped(kind, raw);
    } catch (e) {
      if (e instanceof TypedValueError) {
        setError(e.message);
        return;
      }
      throw e;
    }
    setError(null);
    onValue(v);
  };
  input.addEventListener(kind.kind === 'boolean' || kind.kind === 'enum' ? 'change' : 'input', read);
  return {
    key,
    element,
    input,
    setValue(v: unknown) {
      if (kind.kind === 'boolean') (input as HTMLInputElement).checked = v === true;
      else if (kind.kind === 'numberList') input.value = Array.isArray(v) ? v.join(', ') : '';
      else if (kind.kind === 'number') {
        if (document.activeElement !== input) input.value = showNumber(v);
      } else input.value = String(v ?? '');
    },
    setError,
    setDisabled(disabled: boolean) {
      input.disabled = disabled;
      element.classList.toggle('disabled', disabled);
    },
    setNote(text: string) {
      note.hidden = text === '';
      note.textContent = text;
    },
  };
}

/** A titled group of controls. */
export function group(title: string, ...children: Child[]): HTMLFieldSetElement {
  return h('fieldset', {}, h('legend', {}, title), ...children);
}

/** Copies text to the clipboard (or selects it where the clipboard is not available); says what happened. */
export async function copyText(text: string, source: HTMLElement | null): Promise<string> {
  try {
    await navigator.clipboard.writeText(text);
    return 'copied';
  } catch {
    if (source) {
      const range = document.createRange();
      range.selectNodeContents(source);
      const sel = window.getSelection();
      sel?.removeAllRanges();
      sel?.addRange(range);
    }
    return 'selected: press Ctrl+C to copy';
  }
}

/** Saves text as a file through a Blob link (nothing goes over the network). */
export function downloadText(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
