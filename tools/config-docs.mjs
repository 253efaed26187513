// Renders docs/configuration.md from @crossbar/core's field tables. Used by
// tools/gen-config-docs.mjs (with the built core) and by core's test that
// fails when the committed file is stale (with core's sources).

/** What each class is, where aihwkit defines it, and the combinations refused (in words). */
const CLASS_NOTES = {
  FloatingPointRPUConfig: {
    about: 'Floating-point tile: ideal forward, backward and update; optional diffusion, decay and drift of the FloatingPointDevice.',
    source: 'aihwkit/simulator/configs/configs.py',
  },
  SingleRPUConfig: {
    about: 'Analog tile with one pulsed device per cross-point: non-ideal forward and backward (IOParameters) and a pulsed update (UpdateParameters) through the device.',
    source: 'aihwkit/simulator/configs/configs.py',
  },
  InferenceRPUConfig: {
    about:
      'Inference tile: hardware-aware training with a non-ideal forward pass (plus weight modifier, clip and remap), perfect backward and floating-point update; programming noise, drift and read noise from the noise model in inference. aihwkit fixes `device`, `backward` and `update` (`init=False`); they are fields here so that the dict form is complete.',
    source: 'aihwkit/simulator/configs/configs.py',
  },
  IOParameters: {
    about: 'The analog matrix-vector product of one direction (forward or backward): DAC/ADC, bounds, noise, noise and bound management, IR drop, non-linearities.',
    source: 'aihwkit/simulator/configs/utils.py; C++ IOMetaParameter in src/rpucuda/rpu_pulsed_meta_parameter.h',
    refused: ['`noiseManagement` other than "None" with `inpBound` != 1 (unless `isPerfect` or `mvType` "Ideal"): aihwkit: "Forward noise management expects bound==1".'],
  },
  UpdateParameters: {
    about: 'The pulsed update: pulse trains, their length and the update management.',
    source: 'aihwkit/simulator/configs/utils.py; C++ PulsedUpdateMetaParameter',
  },
  SimpleDriftParameter: { about: 'Power-law drift without device-to-device variation: w (t / t_0)^(-nu).', source: 'aihwkit/simulator/configs/utils.py' },
  DriftParameter: {
    about: 'Power-law drift with device-to-device and cycle-to-cycle variation and conductance dependence (Oh et al. 2019).',
    source: 'aihwkit/simulator/configs/utils.py; src/rpucuda/weight_drifter.cpp',
  },
  WeightModifierParameter: {
    about: 'Hardware-aware training: how the forward (and backward) weights are modified per mini-batch.',
    source: 'aihwkit/simulator/configs/utils.py; src/rpucuda/weight_modifier.cpp',
  },
  WeightClipParameter: { about: 'Hardware-aware training: clipping of the weights after each update.', source: 'aihwkit/simulator/configs/utils.py; src/rpucuda/weight_clipper.cpp' },
  WeightRemapParameter: {
    about: 'Hardware-aware training: remapping of the weights into the conductance range, moving the factor into digital output scales.',
    source: 'aihwkit/simulator/configs/utils.py; src/rpucuda/weight_remapper.cpp',
    refused: ['`type` "ChannelwiseSymmetric" with `maxScaleRange` > 0 and `remappedWmax` != 1: aihwkit: "For max_scales set, expect wrmpar.remapped_wmax to be 1."'],
  },
  MappingParameter: { about: 'Hardware design: mapping of logical weight matrices onto tiles (used by mapped layers).', source: 'aihwkit/simulator/configs/utils.py' },
  InputRangeParameter: {
    about: 'Learning of a static input range (replacing dynamic noise and bound management).',
    source: 'aihwkit/simulator/configs/utils.py',
    refused: [
      'On the RPU config: `enable` and `manageOutputClipping` together need a non-perfect `forward` with `noiseManagement` and `boundManagement` "None" (aihwkit: "RPU Config does not support manage_output_clipping", raised when the tile is built).',
    ],
  },
  PrePostProcessingParameter: { about: 'Digital pre- and post-processing of a tile.', source: 'aihwkit/simulator/configs/utils.py' },
  FloatingPointDevice: { about: 'The device of FloatingPointRPUConfig.', source: 'aihwkit/simulator/configs/devices.py' },
  IdealDevice: { about: 'Ideal (floating-point) update; forward and backward may still be non-ideal.', source: 'aihwkit/simulator/configs/devices.py' },
  ConstantStepDevice: {
    about: 'Constant update step up to hard bounds. Its fields are the ones all pulsed devices share (aihwkit\'s `PulsedDevice`).',
    source: 'aihwkit/simulator/configs/devices.py; src/rpucuda/rpu_pulsed_device.cpp, rpu_constantstep_device.cpp',
    refused: ['`wMin` > 0 or `wMax` < 0 (every pulsed device): aihwkit: "The closed interval [w_min,w_max] needs to contain 0."'],
  },
  LinearStepDevice: {
    about: 'Update step that depends linearly on the weight (soft bounds when gamma = 1).',
    source: 'aihwkit/simulator/configs/devices.py; src/rpucuda/rpu_linearstep_device.cpp',
    refused: ['`reverseUp` or `reverseDown` without `multNoise`: aihwkit: "Only multiplicative noise supported with reverse up/down!"'],
  },
  SoftBoundsDevice: {
    about: 'Soft bounds: the update step shrinks linearly to zero at each bound.',
    source: 'aihwkit/simulator/configs/devices.py; src/rpucuda/rpu_linearstep_device.h',
    refused: ['`reverseUp` or `reverseDown` without `multNoise`.'],
  },
  ExpStepDevice: { about: 'Exponential update step (CMOS-like, fit of Gong et al. 2018).', source: 'aihwkit/simulator/configs/devices.py; src/rpucuda/rpu_expstep_device.cpp' },
  PowStepDevice: { about: 'Update step that is a power of the distance to the bound (Fusi & Abbott 2007).', source: 'aihwkit/simulator/configs/devices.py; src/rpucuda/rpu_powstep_device.cpp' },
  PCMLikeNoiseModel: {
    about:
      'Statistical PCM model of programming noise, drift and 1/f read noise (Nandakumar et al. 2019) in inference, on a single-pair conductance converter. aihwkit\'s noise model is not a dataclass: its constructor arguments are the fields here, with the converter\'s `g_min` folded in.',
    source: 'aihwkit/inference/noise/pcm.py, aihwkit/inference/converter/conductance.py',
    refused: ['`gMin` > `gMax`: aihwkit: "g_min should be smaller than g_max".'],
  },
  GlobalDriftCompensation: {
    about: 'Global drift compensation: one factor from the mean absolute output for one-hot (eye) inputs, measured after programming and at each drift; applied in test mode.',
    source: 'aihwkit/inference/compensation/drift.py',
  },
};

const esc = (s) => String(s).replace(/\|/g, '\\|');

function num(x) {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return String(x);
}

function formatDefault(field) {
  switch (field.kind) {
    case 'number':
      return `\`${num(field.default)}\``;
    case 'boolean':
      return `\`${field.default}\``;
    case 'enum':
      return `\`"${field.default}"\``;
    case 'numberList':
      return `\`[${field.default.map(num).join(', ')}]\``;
    case 'nested': {
      const d = field.create();
      return d === null ? '`null`' : `\`${String(d).replace(/\s*\n\s*/g, ' ')}\``;
    }
  }
  return '';
}

function meaning(field, later) {
  let m = field.doc;
  if (field.since) m += ` *Not in aihwkit 0.7.1's Python dataclass: ${field.since}.*`;
  if (field.kind === 'enum') {
    const marked = Object.keys(later[field.enumName] ?? {});
    if (marked.length) m += ` (Later aihwkit members: ${marked.map((v) => `"${v}"`).join(', ')}.)`;
  }
  return m;
}

/**
 * @param {Record<string, any>} core the @crossbar/core module (built or sources)
 * @returns {string} the Markdown of docs/configuration.md
 */
export function renderConfigurationReference(core) {
  const { CONFIG_GROUPS, ENUMS, PRESETS, describeAllowed, pyName, PULSED_DEVICE_FIELDS } = core;
  const later = Object.fromEntries(Object.entries(ENUMS).map(([k, v]) => [k, v.later]));
  const out = [];
  out.push('# Configuration reference');
  out.push('');
  out.push('<!-- Generated by `node tools/gen-config-docs.mjs` from the field tables in packages/core/src/config. Do not edit by hand: a core test fails when this file is stale. -->');
  out.push('');
  out.push(
    'Every config class of `@crossbar/core`, with every field: its camelCase name, aihwkit\'s name, the default (aihwkit 0.7.1\'s), what values are allowed and what it means. ' +
      'Meanings are aihwkit\'s (its docstrings and C++ sources, `/src/aihwkit/...` and `/src/rpucuda/...` of aihwkit v.0.7.1).',
  );
  out.push('');
  out.push('## Conventions');
  out.push('');
  out.push('- **Names.** Fields are aihwkit\'s in camelCase (`out_noise` → `outNoise`); the dict form (`rpuConfigToDict`, `rpuConfigFromDict`, `configFromDict`) uses aihwkit\'s snake_case names as `dataclasses.asdict` gives them, e.g. `A_up` and `t_0`.');
  out.push('- **Construction.** `new IOParameters({ outNoise: 0 })`: a partial of camelCase fields; nested configs take an instance or a plain partial, which fills in from that field\'s default (so `new InferenceRPUConfig({ backward: { outNoise: 0 } })` keeps the perfect backward). Fields are public and may be changed afterwards; `validate()` re-checks (engines call it when they take a config).');
  out.push('- **Allowed values.** A value is refused only where aihwkit refuses it or cannot use it meaningfully. Values with a special meaning in aihwkit (`inpRes <= 0`: no quantisation, `outBound <= 0`: unbounded, ...) are accepted. NaN is never allowed; ±Infinity only where it says "±inf allowed" (`"inf"`/`"-inf"` in dicts). A refused value, an unknown key or a refused combination throws a `ConfigError` naming the config, the path, the field (both names), the value and what is allowed; `error.detail` has the same as data.');
  out.push('- **Printing.** `toString()` prints the fields that differ from their defaults, like aihwkit\'s `_PrintableMixin` (camelCase names, Python floats, `Enum.Value`; a nested config only when it differs from its default).');
  out.push('- **Dicts.** `rpuConfigToDict(config)` gives aihwkit\'s dict plus a `"type"` key naming the RPU config class and, where the class can vary, the device, the noise model and the drift compensation. `rpuConfigFromDict` reads it back losslessly; it also reads dicts without `"type"` keys where the keys tell the class (a full `dataclasses.asdict` output), and partial dicts (missing keys take the field\'s default).');
  out.push('- **Later aihwkit.** Fields and enum members that aihwkit 0.7.1 does not have are marked; engines that do not implement them refuse them with a `NotSupportedError`.');
  out.push('');
  out.push('## Enums');
  out.push('');
  out.push('Values are aihwkit\'s strings (`enum.value` in Python). Members added after aihwkit 0.7.1 are marked with the version.');
  out.push('');
  out.push('| enum | values |');
  out.push('|---|---|');
  for (const [name, e] of Object.entries(ENUMS)) {
    const values = e.values.map((v) => (e.later[v] ? `\`"${v}"\` (${e.later[v]})` : `\`"${v}"\``));
    out.push(`| \`${name}\` | ${values.join(', ')} |`);
  }
  out.push('');
  for (const group of CONFIG_GROUPS) {
    out.push(`## ${group.title}`);
    out.push('');
    for (const C of group.classes) {
      const note = CLASS_NOTES[C.configName] ?? {};
      out.push(`### ${C.configName}`);
      out.push('');
      if (note.about) out.push(note.about);
      if (note.source) out.push(`aihwkit: \`${note.source}\`.`);
      out.push('');
      let entries = Object.entries(C.fields);
      const shared = Object.keys(PULSED_DEVICE_FIELDS);
      const isPulsed = C.configName !== 'ConstantStepDevice' && shared.every((k) => k in C.fields);
      if (isPulsed) {
        out.push('Has every field of [ConstantStepDevice](#constantstepdevice) (aihwkit\'s `PulsedDevice`), and:');
        out.push('');
        entries = entries.filter(([k]) => !shared.includes(k));
      }
      if (entries.length === 0) {
        out.push('No fields.');
      } else {
        out.push('| field | aihwkit | default | allowed | meaning |');
        out.push('|---|---|---|---|---|');
        for (const [key, field] of entries) {
          out.push(`| \`${key}\` | \`${pyName(key, field)}\` | ${esc(formatDefault(field))} | ${esc(describeAllowed(field))} | ${esc(meaning(field, later))} |`);
        }
      }
      out.push('');
      if (note.refused?.length) {
        out.push('Refused combinations:');
        out.push('');
        for (const r of note.refused) out.push(`- ${r}`);
        out.push('');
      }
    }
  }
  out.push('## Presets');
  out.push('');
  out.push(
    'aihwkit\'s presets (`aihwkit/simulator/presets/`) for the device classes Crossbar has. A preset is a function returning an instance of the base class with the preset\'s values; overrides go on top and nested partials merge into the preset\'s values: `ReRamESPreset({ forward: { outNoise: 0 } })`. Presets that need compound devices (PCMPreset, the 2- and 4-device, Tiki-Taka, TTv2 and mixed-precision presets) are not here.',
  );
  out.push('');
  out.push('| preset | returns | values (the fields that differ from the class defaults) |');
  out.push('|---|---|---|');
  for (const p of PRESETS) {
    out.push(`| \`${p.name}\` | \`${p.base}\` | \`${esc(String(p.create()).replace(/\s*\n\s*/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')'))}\` |`);
  }
  out.push('');
  return out.join('\n');
}
