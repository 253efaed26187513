// The kernels of @crossbar/backend-wasm. Memory is imported (env.memory, shared when
// threads are used) and managed by the TypeScript loader; the kernels only take
// byte offsets into it and allocate nothing.
export { gemmNT, gemmNN } from './gemm';
export { philox, word0, word1, word2, word3, fillNormal64, fillUniform64, fillUint32 } from './philox';
export { fdlibmLog, fdlibmSin, fdlibmCos, fdlibmSinCos, sinOut, cosOut, fdlibmLogPair, logLane1, fdlibmSinCosPair, sinLane1, cosLane1 } from './libm';

/** First byte after the module's static data: where the loader's heap starts. */
export function heapBase(): usize {
  return __heap_base;
}
export { analogRows } from './engine';
export { deriveWeights } from './array';
export { bracketParts, bracketMisses, testRadius, testCos, testSin, BRACKET } from './noise-bracket';
export { fpUpdate, trainsBlock, pulsedBlock } from './update';
export { fdlibmExp } from './exp';
export { rowAbsMax, scaleRows } from './rows';
export { fdlibmPow } from './pow';
