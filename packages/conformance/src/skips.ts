/**
 * Skips: an engine's visible list of what it does not pass yet, each with a
 * reason, kept in the engine's own folder and handed to describeConformance.
 *
 * A key names:
 *   "forward_det/nm_absmax"   one oracle case (file/case)
 *   "nm_absmax"               an oracle case by name, in whichever file
 *   "file:drift"              every case of an oracle file
 *   "kind:drift"              every case of a kind
 *   "property:mvm/adc-grid-and-bounds"   one property
 * and may use "*" as a wildcard ("forward_sto/sto_v_offset*", "property:same-seed/*").
 * A key that matches nothing is an error (a stale skip must be removed).
 */
import type { OracleEntry } from './format.js';
import { pendingDeviceReason } from './pending-devices.js';

/** An engine's skip list: oracle case key or property key → the reason it is skipped. */
export type ConformanceSkips = Readonly<Record<string, string>>;

/**
 * Oracle cases that no engine can reproduce, with the reason (a limit of the
 * oracle data, not of an engine). The suite reports them as skipped.
 */
export const ORACLE_LIMITATIONS: ConformanceSkips = Object.freeze({
  'drift/device_drift_nu_dtod0.2_seeded':
    "the drift exponents come from aihwkit's device-to-device draws (construction_seed 31, nu_dtod 0.2), " +
    'which the oracle does not record (no hidden_parameters in the case or its result) and no other generator reproduces',
  'devices/det_cs_corrupt_devices0.3':
    "aihwkit's draws are injected through setHiddenParameters, which re-estimates dw_min from the mean step as aihwkit's " +
    'set_hidden_parameters does (30 % corrupt devices with step 0 lower it by about 30 %), while aihwkit computed the case from its construction ' +
    'draws with the configured dw_min; the corrupt-device draws themselves are checked by d2d/d2d_cs_corrupt_devices',
});

/**
 * Oracle cases that core's tile does not reproduce yet, with the reason: the same for every
 * engine, since the logic is core's (cases of devices no engine has yet: pending-devices.ts).
 * Reported as skipped, for every engine, so that the count of what is not checked stays visible.
 */
export const SUITE_PENDING: ConformanceSkips = Object.freeze({});

function pattern(key: string): RegExp {
  const escaped = key.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** The names a case answers to. */
function caseNames(entry: OracleEntry): string[] {
  return [entry.id, entry.case.name, `file:${entry.file}`, `kind:${entry.case.kind}`];
}

function matches(key: string, names: readonly string[]): boolean {
  const re = pattern(key);
  return names.some((n) => re.test(n));
}

/** The reason a case is skipped (first matching key), or undefined. */
export function caseSkipReason(skips: ConformanceSkips, entry: OracleEntry): string | undefined {
  const names = caseNames(entry);
  for (const [key, reason] of Object.entries(skips)) {
    if (!key.startsWith('property:') && matches(key, names)) return reason;
  }
  return undefined;
}

/** The reason a property is skipped, or undefined. */
export function propertySkipReason(skips: ConformanceSkips, propertyId: string): string | undefined {
  for (const [key, reason] of Object.entries(skips)) {
    if (key.startsWith('property:') && matches(key, [`property:${propertyId}`])) return reason;
  }
  return undefined;
}

/**
 * Problems with a skip list: keys without a reason, and keys that match no
 * case or property (`entries` undefined: the oracle is not here, so case keys
 * are not checked).
 */
export function validateSkips(skips: ConformanceSkips, entries: readonly OracleEntry[] | undefined, propertyIds: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [key, reason] of Object.entries(skips)) {
    if (typeof reason !== 'string' || reason.trim().length < 10) {
      problems.push(`skip "${key}" needs a reason (a sentence), got ${JSON.stringify(reason)}`);
    }
    if (key.startsWith('property:')) {
      if (!propertyIds.some((id) => matches(key, [`property:${id}`]))) problems.push(`skip "${key}" matches no property`);
    } else if (entries && !entries.some((e) => matches(key, caseNames(e)))) {
      problems.push(`skip "${key}" matches no oracle case`);
    }
  }
  return problems;
}

/** Why the suite itself skips a case for every engine (an oracle limitation, or not run yet), or undefined. */
export function suiteSkipReason(entry: OracleEntry): string | undefined {
  const limitation = caseSkipReason(ORACLE_LIMITATIONS, entry);
  if (limitation) return `oracle limitation: ${limitation}`;
  const pending = caseSkipReason(SUITE_PENDING, entry);
  if (pending) return `not in the suite yet: ${pending}`;
  return pendingDeviceReason(entry);
}
