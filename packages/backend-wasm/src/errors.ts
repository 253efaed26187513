import { BackendError } from '@crossbar/core';

/** Why the WebAssembly kernels could not be loaded here (the registry reports `reason`). */
export type WasmLoadFailure = 'missing-file' | 'no-webassembly' | 'no-simd' | 'no-shared-memory' | 'invalid-module';

/**
 * The kernels could not be loaded or instantiated: the `.wasm` file is missing (not
 * built: `nx run backend-wasm:build`), the runtime has no WebAssembly SIMD, or shared
 * memory (threads) was asked for where SharedArrayBuffer is unavailable.
 */
export class WasmLoadError extends BackendError {
  constructor(
    readonly reason: WasmLoadFailure,
    message: string,
  ) {
    super(message);
    this.name = 'WasmLoadError';
  }
}
