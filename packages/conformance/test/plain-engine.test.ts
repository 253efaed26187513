// The docs' example engine (examples/plain-engine.ts, docs/writing-an-engine.md) against
// the whole conformance suite, with no skips: the smallest complete engine is complete.
import { describeConformance } from '../src/index.js';
import { plainBackend } from '../examples/plain-engine.js';

describeConformance('plain (the docs example)', () => plainBackend, { tolerance: 'cpu' });
