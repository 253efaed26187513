/**
 * The engines the required tests run on: every engine registered by the
 * engine packages (importing them registers them). An engine whose factory
 * fails here is reported as a skipped block with its reason.
 */
import '@crossbar/backend-ndarray';
import '@crossbar/backend-gpujs';
import { probeBackends, type BackendInfo } from '@crossbar/core';
import { describe } from 'vitest';

export const ENGINES: BackendInfo[] = await probeBackends();

/** describe(title) once per registered engine; the callback gets the engine name. */
export function describeEachEngine(title: string, fn: (engine: string) => void): void {
  if (ENGINES.length === 0) throw new Error('no engine is registered');
  for (const info of ENGINES) {
    if (info.status === 'ok') describe(`${title} [${info.name}]`, () => fn(info.name));
    else describe.skip(`${title} [${info.name} does not work here: ${info.detail ?? 'unknown'}]`, () => fn(info.name));
  }
}
