/**
 * A digital (float32) parameter with its gradient: digital biases, learned
 * input ranges and learned output scales. Analog weights are not Parameters:
 * they live in the tiles and change only through `tile.update`.
 */
export class Parameter {
  /** Accumulated gradient (same length as `value`); null until a backward pass writes one. */
  grad: Float32Array | null = null;

  constructor(public value: Float32Array) {}

  /** grad += g (allocating it on first use). */
  addGrad(g: ArrayLike<number>): void {
    if (this.grad === null) this.grad = new Float32Array(this.value.length);
    const grad = this.grad;
    for (let i = 0; i < grad.length; i++) grad[i] = grad[i]! + g[i]!;
  }

  /** Sets the gradient to zero. */
  zeroGrad(): void {
    this.grad = null;
  }
}
