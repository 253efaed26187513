import { crossbarProject } from '../../vitest.shared.js';

// The tests load dist/*.wasm: the global setup compiles the AssemblyScript
// kernels first when they are missing or older than assembly/.
export default crossbarProject('backend-wasm', { globalSetup: ['test/build-kernels.ts'] });
