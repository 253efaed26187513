/**
 * One tile through the wasm engine, the same in the page and in its Worker: default
 * IO (noise, ADC, bound management) forward and backward, odd sizes, large enough that
 * the pool splits the rows. Returns the float32 bit patterns.
 */
import { IOParameters, RandomStream, SingleRPUConfig, IdealDevice, type AnalogTileBackend } from '@crossbar/core';

/** The tile's forward and backward outputs as float32 bits. */
export async function scenario(backend: AnalogTileBackend): Promise<{ forward: number[]; backward: number[] }> {
  const [outSize, inSize, batch] = [70, 93, 33];
  const u = (seed: number, n: number, scale: number) => new RandomStream(seed, 0, 0, 0).fillUniform(new Float32Array(n)).map((v) => (2 * v - 1) * scale);
  const rpuConfig = new SingleRPUConfig({ device: new IdealDevice(), forward: new IOParameters({ outBound: 3 }), backward: new IOParameters() });
  const tile = await backend.createTile({ outSize, inSize, rpuConfig, seed: 5 });
  await tile.setWeights(u(1, outSize * inSize, 0.5));
  const y = await tile.forward(u(2, batch * inSize, 1), batch);
  const z = await tile.backward(u(3, batch * outSize, 1), batch);
  return { forward: Array.from(new Uint32Array(y.buffer, y.byteOffset, y.length)), backward: Array.from(new Uint32Array(z.buffer, z.byteOffset, z.length)) };
}
