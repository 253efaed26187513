// Loading a model in the drift view (src/drift-lab.ts readModelFiles): a single-file crossbar-model@1
// JSON, or model.json + model.weights.bin (crossbar-model@2, as `crossbar demo --save-model` writes).
import { describe, expect, it } from 'vitest';
import { encodeModel, type SavedModel } from '@crossbar/modules';
import { readModelFiles } from '../src/drift-lab.js';
import { SettingError } from '../src/settings.js';

const text = (s: string) => new TextEncoder().encode(s);
const saved: SavedModel = {
  format: 'crossbar-model@1',
  engine: null,
  architecture: { type: 'X' },
  state: { type: 'X', params: { bias: Array.from({ length: 20 }, (_, i) => i / 8) } },
};

describe('readModelFiles', () => {
  it('reads a crossbar-model@1 JSON, and model.json with its weights file (named, or the one .bin picked)', () => {
    expect(readModelFiles([{ name: 'm.json', bytes: text(JSON.stringify(saved)) }])).toEqual({ saved, name: 'm.json' });
    const files = encodeModel(saved);
    const json = { name: 'model.json', bytes: text(files.json) };
    expect(readModelFiles([json, { name: 'model.weights.bin', bytes: files.weights }]).saved).toEqual(saved);
    expect(readModelFiles([{ name: 'renamed.bin', bytes: files.weights }, json]).saved).toEqual(saved);
  });

  it('says what is missing or wrong', () => {
    const files = encodeModel(saved);
    const json = { name: 'model.json', bytes: text(files.json) };
    expect(() => readModelFiles([json])).toThrow(SettingError);
    expect(() => readModelFiles([json])).toThrow('keeps its weights in "model.weights.bin": pick that file together with model.json');
    expect(() => readModelFiles([json, { name: 'model.weights.bin', bytes: files.weights.subarray(8) }])).toThrow(/model\.json: .*bytes, model\.json expects/);
    expect(() => readModelFiles([{ name: 'a.json', bytes: text('{') }])).toThrow('a.json is not JSON');
    expect(() => readModelFiles([{ name: 'a.json', bytes: text('{"format": "x"}') }])).toThrow('a.json is not a saved model');
    expect(() => readModelFiles([json, { name: 'b.json', bytes: text('{}') }])).toThrow('pick one model JSON file');
  });
});
