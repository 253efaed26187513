import { CrossbarError, InputError } from '@crossbar/core';

/**
 * A layer or model was used in a way its state does not allow (backward
 * before forward, program/drift in training mode, a state dict that does not
 * fit the model), as aihwkit's `ModuleError`.
 */
export class ModuleError extends CrossbarError {}

/** An ONNX file that cannot be imported: not ONNX, truncated, an unsupported opset or operator, shapes that do not fit (bad input, so an InputError). */
export class OnnxImportError extends InputError {}
