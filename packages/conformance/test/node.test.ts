import { describe, expect, it } from 'vitest';
import { findOracleDir, loadOracle } from '../src/node.js';

describe('finding the oracle on disk', () => {
  it('CROSSBAR_ORACLE_DIR overrides the default and says when it is wrong', () => {
    const r = findOracleDir({ CROSSBAR_ORACLE_DIR: '/nonexistent/oracle' });
    expect(r.dir).toBeUndefined();
    expect(r.reason).toMatch(/CROSSBAR_ORACLE_DIR=\/nonexistent\/oracle: no cases\/ and expected\/ folders there/);
    expect(loadOracle({ CROSSBAR_ORACLE_DIR: '/nonexistent/oracle' }).oracle).toBeUndefined();
  });

  it('defaults to <repo root>/../shared/oracle', () => {
    const r = findOracleDir({});
    if (r.dir) expect(r.dir).toMatch(/shared[\\/]oracle$/);
    else expect(r.reason).toMatch(/looked for <repo root>\/\.\.\/shared\/oracle/);
  });
});
