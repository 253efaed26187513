/**
 * AnalogSGD (aihwkit v.0.7.1 src/aihwkit/optim/analog_optimizer.py): one
 * step updates the digital parameters with torch's SGD, then every analog
 * tile through `tile.update` with the (x, d) pairs its backward passes
 * recorded (pulsed on SingleRPUConfig devices), then runs each tile's
 * post-update step (decay, diffusion, clip, remap, weight modifier).
 */
import { checkFiniteNumber, checkNumberList, InferenceRPUConfig, InputError, NotSupportedError } from '@crossbar/core';
import { ModuleError } from './errors.js';
import { Module } from './module.js';

/** Options of AnalogSGD. */
export interface AnalogSGDOptions {
  /** Learning rate (>= 0), for the digital parameters and the analog updates alike. */
  lr: number;
  /** Momentum of the digital parameters (torch SGD). Analog tiles update with lr only, as aihwkit's pulsed tiles. */
  momentum?: number;
  dampening?: number;
  /** L2 weight decay of the digital parameters (torch SGD). */
  weightDecay?: number;
  nesterov?: boolean;
}

/** The optimizer's state as JSON. */
export interface OptimizerState {
  format: 'crossbar-sgd@1';
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  stepCount: number;
  /** Momentum buffers by parameter path. */
  buffers: Record<string, number[]>;
}

/** aihwkit's AnalogSGD: pulsed updates of the analog tiles (or, for inference configs, hardware-aware SGD with clip and remap after each step) and plain SGD with momentum and weight decay for digital parameters. */
export class AnalogSGD {
  private lrValue: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  /** Number of completed steps. */
  stepCount = 0;
  private buffers = new Map<string, Float32Array>();

  constructor(
    readonly model: Module,
    options: AnalogSGDOptions,
  ) {
    const where = 'AnalogSGD';
    if (!(model instanceof Module)) {
      const got = Array.isArray(model)
        ? 'an array (model.parameters()?)'
        : model === null
          ? 'null'
          : typeof model === 'object'
            ? ((model as object).constructor?.name ?? 'an object')
            : typeof model;
      throw new InputError(
        `${where}: the first argument must be the model (a Module), got ${got}. ` +
          "aihwkit's AnalogSGD(model.parameters(), lr=0.1) is written new AnalogSGD(model, { lr: 0.1 }) here: " +
          'the optimizer needs the model to reach its analog tiles',
      );
    }
    if (typeof options === 'number') {
      throw new InputError(`${where}: options must be an object, e.g. new AnalogSGD(model, { lr: ${options} }), got the number ${options}`);
    }
    if (options === null || typeof options !== 'object') throw new InputError(`${where}: options must be an object with lr`);
    if (typeof (options.nesterov ?? false) !== 'boolean') throw new InputError(`${where}: nesterov must be a boolean, got ${String(options.nesterov)}`);
    this.lrValue = checkFiniteNumber(where, 'lr', options.lr, { min: 0 });
    this.momentum = checkFiniteNumber(where, 'momentum', options.momentum ?? 0, { min: 0 });
    this.dampening = checkFiniteNumber(where, 'dampening', options.dampening ?? 0);
    this.weightDecay = checkFiniteNumber(where, 'weightDecay', options.weightDecay ?? 0, { min: 0 });
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new InputError(`${where}: nesterov needs momentum > 0 and dampening 0 (as torch SGD)`);
    }
  }

  get learningRate(): number {
    return this.lrValue;
  }

  /** Sets the learning rate of the following steps (aihwkit's set_learning_rate). */
  setLearningRate(lr: number): void {
    this.lrValue = checkFiniteNumber('AnalogSGD.setLearningRate', 'lr', lr, { min: 0 });
  }

  /** Clears every parameter gradient and tile update record. */
  zeroGrad(): void {
    this.model.zeroGrad();
  }

  /**
   * In aihwkit the InferenceRPUConfig tile weights are torch parameters, so
   * momentum and weight decay would act on them; here every analog update
   * goes through tile.update, so that combination is refused rather than
   * silently different.
   */
  private checkAnalogSupport(): void {
    if (this.momentum === 0 && this.weightDecay === 0) return;
    const t = this.model.namedAnalogTiles().find(([, tile]) => tile.rpuConfig instanceof InferenceRPUConfig);
    if (t) {
      throw new NotSupportedError(
        `AnalogSGD: momentum/weightDecay with InferenceRPUConfig tiles (${t[0]}) are not supported: ` +
          'their weights update through tile.update with the learning rate only',
      );
    }
  }

  /** Applies one optimisation step from the gradients and update records of the last backward passes. */
  async step(): Promise<void> {
    await this.model.build();
    this.checkAnalogSupport();
    const lr = this.lrValue;
    for (const [name, p] of this.model.namedParameters()) {
      const g = p.grad;
      if (!g) continue;
      const v = p.value;
      let buf = this.buffers.get(name);
      if (this.momentum !== 0 && !buf) {
        buf = new Float32Array(v.length);
        this.buffers.set(name, buf);
        for (let i = 0; i < v.length; i++) buf[i] = g[i]! + this.weightDecay * v[i]!;
        this.applyStep(v, buf, buf, lr);
        continue;
      }
      const dp = new Float32Array(v.length);
      for (let i = 0; i < v.length; i++) dp[i] = g[i]! + this.weightDecay * v[i]!;
      if (buf) {
        for (let i = 0; i < v.length; i++) buf[i] = this.momentum * buf[i]! + (1 - this.dampening) * dp[i]!;
      }
      this.applyStep(v, dp, buf ?? dp, lr);
    }
    const tiles = this.model.analogTiles();
    for (const t of tiles) await t.update(lr);
    for (const t of tiles) await t.postUpdateStep();
    this.stepCount++;
  }

  private applyStep(v: Float32Array, dp: Float32Array, buf: Float32Array, lr: number): void {
    for (let i = 0; i < v.length; i++) {
      const d = this.momentum === 0 ? dp[i]! : this.nesterov ? dp[i]! + this.momentum * buf[i]! : buf[i]!;
      v[i] = v[i]! - lr * d;
    }
  }

  /** The optimiser's state (learning rate, step count, momentum buffers) for saving. */
  stateDict(): OptimizerState {
    const buffers: Record<string, number[]> = {};
    for (const [k, v] of this.buffers) buffers[k] = Array.from(v);
    return {
      format: 'crossbar-sgd@1',
      lr: this.lrValue,
      momentum: this.momentum,
      dampening: this.dampening,
      weightDecay: this.weightDecay,
      nesterov: this.nesterov,
      stepCount: this.stepCount,
      buffers,
    };
  }

  /**
   * Restores the learning rate, step count and momentum buffers (the other options must match).
   * Everything is checked before anything changes: each buffer must name a parameter of the
   * model (build the model first: the tiles' parameters exist after build) and hold as many
   * finite numbers as it.
   */
  loadStateDict(state: OptimizerState): void {
    const where = 'AnalogSGD.loadStateDict';
    if (state === null || typeof state !== 'object' || state.format !== 'crossbar-sgd@1') {
      throw new ModuleError(`${where}: expected an optimizer state with format "crossbar-sgd@1"`);
    }
    for (const key of ['momentum', 'dampening', 'weightDecay', 'nesterov'] as const) {
      if (state[key] !== this[key]) {
        throw new ModuleError(`${where}: the state has ${key} = ${String(state[key])}, this optimizer ${String(this[key])}`);
      }
    }
    const lr = checkFiniteNumber(where, 'lr', state.lr, { min: 0 });
    const stepCount: unknown = state.stepCount;
    if (typeof stepCount !== 'number' || !Number.isSafeInteger(stepCount) || stepCount < 0) {
      throw new InputError(`${where}: stepCount must be a non-negative integer, got ${JSON.stringify(stepCount) ?? String(stepCount)}`);
    }
    const raw: unknown = state.buffers ?? {};
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`${where}: buffers must be an object of number arrays`);
    const params = new Map(this.model.namedParameters());
    const buffers = new Map<string, Float32Array>();
    for (const [k, v] of Object.entries(raw)) {
      const p = params.get(k);
      if (!p) {
        throw new InputError(
          `${where}: buffer "${k}" names no parameter of the model (it has: ${[...params.keys()].join(', ') || 'none'}; ` +
            "a tile's parameters exist after await model.build())",
        );
      }
      buffers.set(k, checkNumberList(where, `buffers["${k}"]`, v, p.value.length));
    }
    this.lrValue = lr;
    this.stepCount = stepCount;
    this.buffers = buffers;
  }
}

/** Decays the learning rate by gamma every stepSize calls of step() (torch's StepLR; call once per epoch). */
export class StepLR {
  private readonly baseLr: number;
  readonly stepSize: number;
  readonly gamma: number;
  epoch = 0;

  constructor(
    readonly optimizer: AnalogSGD,
    options: { stepSize: number; gamma?: number },
  ) {
    this.baseLr = optimizer.learningRate;
    this.stepSize = checkFiniteNumber('StepLR', 'stepSize', options?.stepSize, { min: 1 });
    if (!Number.isInteger(this.stepSize)) throw new InputError(`StepLR: stepSize must be an integer, got ${this.stepSize}`);
    this.gamma = checkFiniteNumber('StepLR', 'gamma', options.gamma ?? 0.1, { min: 0 });
  }

  /** Ends an epoch: multiplies the learning rate by gamma every stepSize calls. */
  step(): void {
    this.epoch++;
    this.optimizer.setLearningRate(this.baseLr * this.gamma ** Math.floor(this.epoch / this.stepSize));
  }
}

/** Sets the learning rate to baseLr · lrLambda(epoch) on each step() (torch's LambdaLR). */
export class LambdaLR {
  private readonly baseLr: number;
  epoch = 0;

  constructor(
    readonly optimizer: AnalogSGD,
    private readonly lrLambda: (epoch: number) => number,
  ) {
    if (typeof lrLambda !== 'function') throw new InputError('LambdaLR: lrLambda must be a function of the epoch');
    this.baseLr = optimizer.learningRate;
    this.optimizer.setLearningRate(this.baseLr * checkFiniteNumber('LambdaLR', 'lrLambda(0)', lrLambda(0), { min: 0 }));
  }

  /** Ends an epoch: sets the learning rate to baseLr · lrLambda(epoch). */
  step(): void {
    this.epoch++;
    const f = checkFiniteNumber('LambdaLR', `lrLambda(${this.epoch})`, this.lrLambda(this.epoch), { min: 0 });
    this.optimizer.setLearningRate(this.baseLr * f);
  }
}
