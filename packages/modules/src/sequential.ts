/**
 * AnalogSequential (aihwkit v.0.7.1 src/aihwkit/nn/modules/container.py):
 * runs its children in order; backward runs them in reverse. program(),
 * drift(), train()/eval() and the optimizer reach every analog layer in it.
 */
import { InputError } from '@crossbar/core';
import { Module, type ModuleConfig } from './module.js';

/** Modules applied one after another (aihwkit's AnalogSequential / torch's nn.Sequential). */
export class AnalogSequential extends Module {
  readonly type: string = 'AnalogSequential';
  private readonly modules: Module[];

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new InputError(`AnalogSequential: child ${i} is not a Module`);
    });
    if (new Set(modules).size !== modules.length) {
      throw new InputError('AnalogSequential: the same module instance appears twice (its forward cache would be overwritten)');
    }
    this.modules = [...modules];
  }

  override children(): readonly Module[] {
    return this.modules;
  }

  /** The i-th child. */
  get(i: number): Module {
    const m = this.modules[i];
    if (!m) throw new InputError(`AnalogSequential.get: index ${i} is out of range [0, ${this.modules.length})`);
    return m;
  }

  get length(): number {
    return this.modules.length;
  }

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    this.checkAlive('forward');
    let y = x;
    for (const m of this.modules) y = await m.forward(y, batch);
    return y;
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    this.checkAlive('backward');
    let d = dy;
    for (let i = this.modules.length - 1; i >= 0; i--) d = await this.modules[i]!.backward(d);
    return d;
  }

  override getConfig(): ModuleConfig {
    return { type: this.type, children: this.modules.map((m) => m.getConfig()) };
  }
}
