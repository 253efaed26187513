/** The plain-text helpers: wrapped table cells and plurals. */
import { describe, expect, it } from 'vitest';
import { plural, textTable, wrapText } from '../src/format.js';

describe('wrapText', () => {
  it('breaks at spaces within the width, cuts a longer word, keeps an empty text one line', () => {
    expect(wrapText('aa bb cc dd', 5)).toEqual(['aa bb', 'cc dd']);
    expect(wrapText('abcdefghij xy', 4)).toEqual(['abcd', 'efgh', 'ij', 'xy']);
    expect(wrapText('', 4)).toEqual(['']);
    for (const l of wrapText('the optional package "gl" (headless-gl) could not be loaded: Could not locate the bindings file.', 20)) {
      expect(l.length).toBeLessThanOrEqual(20);
    }
  });
});

describe('textTable', () => {
  it('wraps a column with a maximum width onto continuation lines, the other cells blank', () => {
    const t = textTable(
      ['a', 'details'],
      [
        ['x', 'one two three four'],
        ['yy', 'five'],
      ],
      [],
      [undefined, 8],
    );
    expect(t.split('\n')).toEqual(['a   details', '--  -------', 'x   one two', '    three', '    four', 'yy  five']);
  });
});

describe('plural', () => {
  it('1 epoch, 0 epochs, 6 epochs; irregular plurals', () => {
    expect([plural(1, 'epoch'), plural(0, 'epoch'), plural(6, 'epoch'), plural(2, 'repeat', 'repeats')]).toEqual(['1 epoch', '0 epochs', '6 epochs', '2 repeats']);
  });
});
