// vitest config of mutation testing (stryker.config.mjs): the conformance suite alone.
import { crossbarProject } from '../../vitest.shared.js';

export default crossbarProject('backend-ndarray-mutation', { include: ['test/mutation/*.mutation.ts'], testTimeout: 300_000 });
