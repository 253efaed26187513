/**
 * W ← W + α·Σ_r d_r x_rᵀ as one kernel over the resident weights (the
 * floating-point update, α = −lr): per element, the products accumulated over
 * the batch rows in float32 (BLAS gemm's order), then w + fl(α·sum); a batch
 * of one as BLAS ger, w + fl(α·d_i)·x_j.
 */
import type { GpuTexture } from '../gpujs.js';
import type { DeviceArray } from '../device.js';
import { roundUp4 } from '../device.js';
import { uploadPacked4 } from '../kernels/mvm.js';
import { MAX_ROWS } from '../gemm.js';
import type { GpuTileContext } from '../context.js';

function source(gl: boolean, batch: number, outSize: number, inSize: number): string {
  const one = batch === 1;
  if (gl) {
    const acc = (m: number) => (one ? `v${m} = w${'T'}[${m}] + Math.fround(alpha * d[i]) * xv[${m}];` : `v${m} = Math.fround(wT[${m}] + Math.fround(alpha * a${m}));`);
    return `function(w, x, d, alpha) {
  const i = this.thread.y;
  const k = this.thread.x;
  const wT = w[i][k];
  let v0 = 0.0; let v1 = 0.0; let v2 = 0.0; let v3 = 0.0;
  if (i < ${outSize}) {
    ${
      one
        ? 'const xv = x[0][k];'
        : `let a0 = 0.0; let a1 = 0.0; let a2 = 0.0; let a3 = 0.0;
    for (let r = 0; r < ${batch}; r++) {
      const dv = d[r * ${outSize} + i];
      const xv = x[r][k];
      a0 = Math.fround(a0 + dv * xv[0]); a1 = Math.fround(a1 + dv * xv[1]); a2 = Math.fround(a2 + dv * xv[2]); a3 = Math.fround(a3 + dv * xv[3]);
    }`
    }
    ${[0, 1, 2, 3].map((m) => `if (k * 4 + ${m} < ${inSize}) { ${acc(m)} }`).join('\n    ')}
  }
  return [v0, v1, v2, v3];
}`;
  }
  const s = roundUp4(inSize);
  return `function(w, x, d, alpha) {
  const i = Math.floor(this.thread.x / ${s});
  const j = this.thread.x - i * ${s};
  let v = 0.0;
  if (i < ${outSize} && j < ${inSize}) {
    ${
      one
        ? `v = w[this.thread.x] + Math.fround(alpha * d[i]) * x[j];`
        : `let a = 0.0;
    for (let r = 0; r < ${batch}; r++) {
      a = Math.fround(a + d[r * ${outSize} + i] * x[r * ${inSize} + j]);
    }
    v = Math.fround(w[this.thread.x] + Math.fround(alpha * a));`
    }
  }
  return v;
}`;
}

/** W ← W + α·Σ_r d_r x_rᵀ on the resident `w` (its data replaced). */
export function rankUpdate(ctx: GpuTileContext, w: DeviceArray, x: Float32Array, d: Float32Array, batch: number, alpha: number): void {
  const { scope, outSize, inSize } = ctx;
  const rt = scope.runtime;
  if (batch > MAX_ROWS) {
    // x's texture holds at most MAX_ROWS rows: the batch in slices (each rounded into w on its own)
    for (let b0 = 0; b0 < batch; b0 += MAX_ROWS) {
      const n = Math.min(MAX_ROWS, batch - b0);
      rankUpdate(ctx, w, x.subarray(b0 * inSize, (b0 + n) * inSize), d.subarray(b0 * outSize, (b0 + n) * outSize), n, alpha);
    }
    return;
  }
  const src = source(rt.isGl, batch, outSize, inSize);
  if (rt.isGl) {
    const up = scope.kernel(uploadPacked4, { output: [Math.ceil(inSize / 4), batch], constants: { rows: batch, cols: inSize }, pipeline: true, returnType: 'Array(4)' });
    const xt = up(x) as GpuTexture;
    const k = scope.kernel(src, { output: [Math.ceil(inSize / 4), w.rowsAlloc], pipeline: true, immutable: true, returnType: 'Array(4)' });
    w.replace(k(w.texture, xt, d, alpha) as GpuTexture);
    rt.assertMode(k, 'update');
    return;
  }
  const k = scope.kernel(src, { output: [w.rowsAlloc * roundUp4(inSize)] });
  const result = k(w.host, x, d, alpha) as Float32Array;
  rt.assertMode(k, 'update');
  w.host.set(result);
}
