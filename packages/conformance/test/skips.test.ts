import { describe, expect, it } from 'vitest';
import { caseSkipReason, propertySkipReason, validateSkips, type OracleEntry } from '../src/portable.js';

const entry = (file: string, name: string, kind: OracleEntry['case']['kind']): OracleEntry => ({
  id: `${file}/${name}`,
  file,
  case: { name, kind, config: {} },
  expected: { name, kind, ok: true },
});
const entries = [entry('forward_det', 'nm_absmax', 'forward'), entry('drift', 'pcm_default', 'drift'), entry('edge', 'edge_update_x', 'update')];

describe('skip lists', () => {
  it('match a case by id, name, file, kind or wildcard', () => {
    expect(caseSkipReason({ 'forward_det/nm_absmax': 'a reason here' }, entries[0]!)).toBe('a reason here');
    expect(caseSkipReason({ nm_absmax: 'by name only' }, entries[0]!)).toBe('by name only');
    expect(caseSkipReason({ 'file:drift': 'the whole file' }, entries[1]!)).toBe('the whole file');
    expect(caseSkipReason({ 'kind:update': 'every update case' }, entries[2]!)).toBe('every update case');
    expect(caseSkipReason({ 'edge/edge_update*': 'a wildcard' }, entries[2]!)).toBe('a wildcard');
    expect(caseSkipReason({ 'kind:update': 'x' }, entries[0]!)).toBeUndefined();
  });

  it('match properties only through "property:"', () => {
    expect(propertySkipReason({ 'property:same-seed/*': 'no noise yet here' }, 'same-seed/forward')).toBe('no noise yet here');
    expect(propertySkipReason({ 'same-seed/forward': 'not a property key' }, 'same-seed/forward')).toBeUndefined();
  });

  it('report keys that match nothing and missing reasons', () => {
    const problems = validateSkips({ 'forward_det/gone': 'this case was removed', 'property:nope': 'no such property', nm_absmax: '' }, entries, [
      'mvm/perfect-equals-gemm',
    ]);
    expect(problems).toEqual([
      'skip "forward_det/gone" matches no oracle case',
      'skip "property:nope" matches no property',
      'skip "nm_absmax" needs a reason (a sentence), got ""',
    ]);
    expect(validateSkips({ 'forward_det/gone': 'oracle absent: not checked' }, undefined, [])).toEqual([]);
  });
});
