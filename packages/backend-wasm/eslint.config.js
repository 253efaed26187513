// The repository's rules, minus assembly/: AssemblyScript (decorators on functions,
// v128, i32 …) is not TypeScript; asc compiles and checks it (tools/build-wasm.mjs).
import root from '../../eslint.config.js';

export default [...root, { ignores: ['assembly/**'] }];
