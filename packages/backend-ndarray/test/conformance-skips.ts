/**
 * What the ndarray engine does not pass in the conformance suite, and why.
 * Keys name oracle cases ("file/case", a case name, "kind:<kind>",
 * "file:<file>") or properties ("property:<id>"); "*" is a wildcard. Each
 * entry needs a reason, and a key that matches nothing fails the suite, so
 * this list stays true: remove an entry as soon as the engine passes it.
 *
 * Work in progress is not a reason to skip: a case the engine does not
 * implement yet fails, visibly, until it does.
 */
import type { ConformanceSkips } from '@crossbar/conformance';

export const ndarraySkips: ConformanceSkips = {};
