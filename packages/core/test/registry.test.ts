/**
 * The engine registry: registration, priority order, CROSSBAR_BACKEND, the
 * combined error when no engine works, async factories, probing, and
 * several registries side by side.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BackendError,
  BackendRegistry,
  CrossbarError,
  defaultRegistry,
  getBackend,
  listBackends,
  probeBackends,
  registerBackend,
  type AnalogTileBackend,
} from '../src/index.js';

function fakeBackend(name: string, description?: string): AnalogTileBackend {
  return {
    name,
    description,
    createTile: () => {
      throw new Error('not used here');
    },
  };
}

let savedEnv: string | undefined;
beforeEach(() => {
  savedEnv = process.env.CROSSBAR_BACKEND;
  delete process.env.CROSSBAR_BACKEND;
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env.CROSSBAR_BACKEND;
  else process.env.CROSSBAR_BACKEND = savedEnv;
});

describe('BackendRegistry', () => {
  it('lists engines by priority (highest first; ties in registration order), untried until asked for', () => {
    const r = new BackendRegistry();
    r.register('low', () => fakeBackend('low'), { priority: 1 });
    r.register('high', () => fakeBackend('high'), { priority: 10 });
    r.register('mid-a', () => fakeBackend('mid-a'), { priority: 5 });
    r.register('mid-b', () => fakeBackend('mid-b'), { priority: 5 });
    r.register('default-priority', () => fakeBackend('default-priority'));
    expect(r.list().map((b) => [b.name, b.priority, b.status])).toEqual([
      ['high', 10, 'untried'],
      ['mid-a', 5, 'untried'],
      ['mid-b', 5, 'untried'],
      ['low', 1, 'untried'],
      ['default-priority', 0, 'untried'],
    ]);
  });

  it('gives the highest-priority engine that works, skipping failing ones', async () => {
    const r = new BackendRegistry();
    r.register('ndarray', () => fakeBackend('ndarray'), { priority: 1 });
    r.register(
      'gpujs',
      () => {
        throw new Error('no WebGL here');
      },
      { priority: 10 },
    );
    const b = await r.get();
    expect(b.name).toBe('ndarray');
    const info = r.list();
    expect(info.find((i) => i.name === 'gpujs')).toMatchObject({ status: 'failed', detail: 'no WebGL here' });
    expect(info.find((i) => i.name === 'ndarray')).toMatchObject({ status: 'ok' });
  });

  it('takes the highest priority when it works', async () => {
    const r = new BackendRegistry();
    r.register('ndarray', () => fakeBackend('ndarray'), { priority: 1 });
    r.register('gpujs', () => fakeBackend('gpujs', 'gpu mode'), { priority: 10 });
    expect((await r.get()).name).toBe('gpujs');
    expect(r.list()[0]).toMatchObject({ name: 'gpujs', status: 'ok', detail: 'gpu mode' });
  });

  it('gives an engine by name, even a lower-priority one', async () => {
    const r = new BackendRegistry();
    r.register('a', () => fakeBackend('a'), { priority: 1 });
    r.register('b', () => fakeBackend('b'), { priority: 2 });
    expect((await r.get('a')).name).toBe('a');
  });

  it('makes each engine once and hands out the same instance', async () => {
    const r = new BackendRegistry();
    let made = 0;
    r.register('a', () => {
      made++;
      return fakeBackend('a');
    });
    const [x, y] = await Promise.all([r.get('a'), r.get('a')]);
    expect(x).toBe(y);
    expect(await r.get()).toBe(x);
    expect(made).toBe(1);
  });

  it('awaits async factories, and treats a rejected one as not working', async () => {
    const r = new BackendRegistry();
    r.register(
      'slow',
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return fakeBackend('slow');
      },
      { priority: 1 },
    );
    r.register(
      'broken',
      async () => {
        await Promise.resolve();
        throw new Error('headless-gl is missing');
      },
      { priority: 2 },
    );
    expect((await r.get()).name).toBe('slow');
    await expect(r.get('broken')).rejects.toThrow(/Engine "broken" does not work here: headless-gl is missing/);
  });

  it('follows CROSSBAR_BACKEND when no name is given, and does not fall back from it', async () => {
    const r = new BackendRegistry();
    r.register('a', () => fakeBackend('a'), { priority: 10 });
    r.register('b', () => fakeBackend('b'), { priority: 1 });
    r.register('c', () => {
      throw new Error('c is broken');
    });
    process.env.CROSSBAR_BACKEND = 'b';
    expect((await r.get()).name).toBe('b');
    expect((await r.get('a')).name).toBe('a'); // an explicit name wins over the variable
    process.env.CROSSBAR_BACKEND = ' c ';
    await expect(r.get()).rejects.toThrow(/Engine "c" does not work here: c is broken/);
    process.env.CROSSBAR_BACKEND = 'nope';
    const e = await r.get().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BackendError);
    expect((e as Error).message).toMatch(/No engine named "nope" is registered; registered: a, b, c/);
    process.env.CROSSBAR_BACKEND = '';
    expect((await r.get()).name).toBe('a'); // empty: as if unset
  });

  it("when no engine works, one error lists every engine's failure", async () => {
    const r = new BackendRegistry();
    r.register(
      'gpujs',
      () => {
        throw new Error('no WebGL');
      },
      { priority: 2 },
    );
    r.register(
      'ndarray',
      async () => {
        throw new Error('ndarray broke');
      },
      { priority: 1 },
    );
    r.register('odd', () => ({ name: 'odd' }) as unknown as AnalogTileBackend);
    const e = await r.get().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BackendError);
    expect(e).toBeInstanceOf(CrossbarError);
    const msg = (e as Error).message;
    expect(msg).toContain('No registered engine works here');
    expect(msg).toContain('gpujs: no WebGL');
    expect(msg).toContain('ndarray: ndarray broke');
    expect(msg).toContain('odd: the factory of "odd" did not return an AnalogTileBackend');
    expect(msg.indexOf('gpujs')).toBeLessThan(msg.indexOf('ndarray')); // in priority order
  });

  it('says so when nothing is registered, or the name is unknown', async () => {
    const r = new BackendRegistry();
    await expect(r.get()).rejects.toThrow(/No engine is registered/);
    await expect(r.get('ndarray')).rejects.toThrow(/No engine named "ndarray" is registered; registered: none/);
  });

  it('probe tries every engine once and reports which work and why others fail', async () => {
    const r = new BackendRegistry();
    r.register('a', () => fakeBackend('a', 'fine'), { priority: 1 });
    r.register(
      'b',
      async () => {
        throw new Error('nope');
      },
      { priority: 2 },
    );
    const info = await r.probe();
    expect(info).toEqual([
      { name: 'b', priority: 2, status: 'failed', detail: 'nope' },
      { name: 'a', priority: 1, status: 'ok', detail: 'fine' },
    ]);
  });

  it('refuses bad registrations', () => {
    const r = new BackendRegistry();
    expect(() => r.register('Bad Name', () => fakeBackend('x'))).toThrow(BackendError);
    expect(() => r.register('', () => fakeBackend('x'))).toThrow(BackendError);
    expect(() => r.register('ok', 42 as unknown as () => AnalogTileBackend)).toThrow(/factory must be a function/);
    expect(() => r.register('ok', () => fakeBackend('x'), { priority: NaN })).toThrow(/priority must be a finite number/);
  });

  it('re-registering a name replaces it; unregister removes it', async () => {
    const r = new BackendRegistry();
    r.register('a', () => fakeBackend('first'));
    expect((await r.get('a')).name).toBe('first');
    r.register('a', () => fakeBackend('second'));
    expect((await r.get('a')).name).toBe('second');
    expect(r.unregister('a')).toBe(true);
    expect(r.unregister('a')).toBe(false);
    expect(r.list()).toEqual([]);
  });

  it('two registries live side by side without sharing engines', async () => {
    const one = new BackendRegistry();
    const two = new BackendRegistry();
    one.register('x', () => fakeBackend('one-x'));
    two.register('x', () => fakeBackend('two-x'));
    two.register('y', () => fakeBackend('two-y'), { priority: 5 });
    expect((await one.get()).name).toBe('one-x');
    expect((await two.get()).name).toBe('two-y');
    expect((await two.get('x')).name).toBe('two-x');
    expect(one.list().map((b) => b.name)).toEqual(['x']);
    await expect(one.get('y')).rejects.toThrow(BackendError);
  });
});

describe('the process-wide registry functions', () => {
  it('registerBackend / getBackend / listBackends / probeBackends use defaultRegistry', async () => {
    const name = 'core-test-engine';
    registerBackend(name, async () => fakeBackend(name, 'from the test'), { priority: -1000 });
    try {
      expect(listBackends().some((b) => b.name === name)).toBe(true);
      expect((await getBackend(name)).name).toBe(name);
      const probed = await probeBackends();
      expect(probed.find((b) => b.name === name)).toMatchObject({ status: 'ok', detail: 'from the test' });
    } finally {
      defaultRegistry.unregister(name);
    }
    expect(listBackends().some((b) => b.name === name)).toBe(false);
  });
});
