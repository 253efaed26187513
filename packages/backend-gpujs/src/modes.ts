/**
 * Which gpu.js mode the engine runs in, and why the others were not taken.
 *
 * A mode is asked for by the factory option `mode`, else by the environment
 * variable CROSSBAR_GPUJS_MODE, else chosen: the first that works of
 * headlessgl (Node with headless-gl and a display), webgl2, webgl (browsers),
 * webasm, cpu. "Works" means gpu.js supports it here with float32 textures
 * (the GL modes) — checked without compiling a kernel, so choosing is cheap.
 */
import { BackendError } from '@crossbar/core';
import { envVar, gpuSupport, isNode, loadHeadlessGl } from './gpujs.js';

/** gpu.js's kernel modes the engine runs in (gpu.js's own names). */
export type GpujsMode = 'headlessgl' | 'webgl2' | 'webgl' | 'webasm' | 'cpu';

/** In the order auto-selection tries them. */
export const GPUJS_MODES: readonly GpujsMode[] = ['headlessgl', 'webgl2', 'webgl', 'webasm', 'cpu'];

/** Modes whose kernels are fragment shaders over textures. */
export const GL_MODES: readonly GpujsMode[] = ['headlessgl', 'webgl2', 'webgl'];

export function isGlMode(mode: GpujsMode): boolean {
  return GL_MODES.includes(mode);
}

/** The environment variable that picks the mode when the factory option does not. */
export const MODE_ENV = 'CROSSBAR_GPUJS_MODE';

/** Whether a gpu.js mode works here, and why not. */
export interface ModeCheck {
  mode: GpujsMode;
  ok: boolean;
  /** Why the mode does not work here (when !ok). */
  reason?: string;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

interface GlLike {
  getExtension(name: string): unknown;
}

/** Whether `mode` works here; never throws. */
export function checkMode(mode: GpujsMode): ModeCheck {
  try {
    switch (mode) {
      case 'cpu':
        return { mode, ok: true };
      case 'webasm':
        return gpuSupport.webasm ? { mode, ok: true } : { mode, ok: false, reason: 'WebAssembly (with SIMD) is not available in this JavaScript engine' };
      case 'headlessgl': {
        if (!isNode()) return { mode, ok: false, reason: 'headless-gl runs in Node only' };
        let factory;
        try {
          factory = loadHeadlessGl();
        } catch (e) {
          return { mode, ok: false, reason: firstLine(e) };
        }
        const gl = factory(1, 1) as GlLike | null;
        if (!gl) {
          const display = envVar('DISPLAY');
          return {
            mode,
            ok: false,
            reason: display
              ? `headless-gl could not create a WebGL context on display ${display}`
              : 'headless-gl could not create a WebGL context: no X display (run under `xvfb-run -a`)',
          };
        }
        const floats = gl.getExtension('OES_texture_float') !== null;
        (gl.getExtension('STACKGL_destroy_context') as { destroy(): void } | null)?.destroy();
        if (!floats) return { mode, ok: false, reason: 'headless-gl has no float32 textures (OES_texture_float)' };
        if (!gpuSupport.headlessgl) return { mode, ok: false, reason: 'gpu.js does not accept this headless-gl context' };
        return { mode, ok: true };
      }
      case 'webgl2': {
        if (isNode()) return { mode, ok: false, reason: 'WebGL2 needs a browser (in Node, use headlessgl)' };
        if (!gpuSupport.webgl2) return { mode, ok: false, reason: 'this browser gives no WebGL2 context' };
        const gl = document.createElement('canvas').getContext('webgl2');
        if (!gl?.getExtension('EXT_color_buffer_float')) {
          return { mode, ok: false, reason: 'WebGL2 cannot render to float32 textures (EXT_color_buffer_float)' };
        }
        return { mode, ok: true };
      }
      case 'webgl': {
        if (isNode()) return { mode, ok: false, reason: 'WebGL needs a browser (in Node, use headlessgl)' };
        if (!gpuSupport.webgl) return { mode, ok: false, reason: 'this browser gives no WebGL context' };
        const gl = document.createElement('canvas').getContext('webgl');
        if (!gl?.getExtension('OES_texture_float')) {
          return { mode, ok: false, reason: 'WebGL has no float32 textures (OES_texture_float)' };
        }
        return { mode, ok: true };
      }
    }
  } catch (e) {
    return { mode, ok: false, reason: firstLine(e) };
  }
}

/** Parses a requested mode ('auto' or undefined: choose). Throws a BackendError naming the allowed values. */
export function parseMode(value: unknown, where: string): GpujsMode | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (typeof value === 'string' && (GPUJS_MODES as readonly string[]).includes(value)) return value as GpujsMode;
  throw new BackendError(`${where}: unknown gpu.js mode ${JSON.stringify(value)}; use one of auto, ${GPUJS_MODES.join(', ')}`);
}

/** The mode the engine picked, where the choice came from and why other modes were not taken. */
export interface ModeChoice {
  mode: GpujsMode;
  /** 'option', 'environment' (CROSSBAR_GPUJS_MODE) or 'auto'. */
  source: 'option' | 'environment' | 'auto';
  /** The other modes that do not work here, each with why. */
  rejected: ModeCheck[];
  /** The other modes that work here too. */
  alternatives: GpujsMode[];
}

/** The mode asked for (option, else CROSSBAR_GPUJS_MODE), or 'auto'. */
export function requestedMode(option: GpujsMode | 'auto' | undefined): { mode: GpujsMode | 'auto'; source: ModeChoice['source'] } {
  if (option !== undefined && option !== 'auto') return { mode: parseMode(option, 'gpujs engine option "mode"'), source: 'option' };
  const env = envVar(MODE_ENV);
  if (option === undefined && env !== undefined) return { mode: parseMode(env, MODE_ENV), source: 'environment' };
  return { mode: 'auto', source: 'auto' };
}

/**
 * Picks the mode: the requested one (a BackendError with the reason if it
 * does not work here), else the first that works in GPUJS_MODES order.
 */
export function chooseMode(option?: GpujsMode | 'auto'): ModeChoice {
  const { mode, source } = requestedMode(option);
  const checks = GPUJS_MODES.map(checkMode);
  let chosen: GpujsMode;
  if (mode !== 'auto') {
    const check = checks.find((c) => c.mode === mode)!;
    if (!check.ok) {
      throw new BackendError(`gpu.js mode "${mode}" (from ${source === 'option' ? 'the mode option' : MODE_ENV}) does not work here: ${check.reason}`);
    }
    chosen = mode;
  } else {
    const first = checks.find((c) => c.ok);
    // cpu always works; kept for the type checker
    if (!first) throw new BackendError(`no gpu.js mode works here: ${checks.map((r) => `${r.mode}: ${r.reason}`).join('; ')}`);
    chosen = first.mode;
  }
  return {
    mode: chosen,
    source,
    rejected: checks.filter((c) => !c.ok),
    alternatives: checks.filter((c) => c.ok && c.mode !== chosen).map((c) => c.mode),
  };
}

/** One line for BackendInfo.detail and the backend's description. */
export function describeChoice(choice: ModeChoice, extra?: string): string {
  const how = choice.source === 'auto' ? 'chosen automatically' : choice.source === 'option' ? 'asked for by the mode option' : `asked for by ${MODE_ENV}`;
  const failed = choice.rejected.length ? `; not working here: ${choice.rejected.map((r) => `${r.mode} (${r.reason})`).join(', ')}` : '';
  const also = choice.alternatives.length ? `; also working: ${choice.alternatives.join(', ')}` : '';
  return `gpu.js mode ${choice.mode} (${how}${extra ? `, ${extra}` : ''})${failed}${also}`;
}
