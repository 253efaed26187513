// Renders docs/configuration.md from @crossbar/core's field tables. Used by
// tools/gen-config-docs.mjs (with the built core) and by core's test that
// fails when the committed file is stale (with core's sources).

/** What each class is, where aihwkit defines it, and the combinations refused (in words). */
const COMPOUND_SIMULATED =
  "**Simulated** by core's tile (`tile/compounds.ts`) on every engine that supplies the `pulsedUpdate` kernel (and `perfectMvm` / `analogPass` for the transfer and refresh reads), checked against aihwkit 0.7.1's `compounds` oracle cases; see [training.md](training.md#compound-devices) for aihwkit's quirks.";
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
  WeightClipParameter: {
    about: 'Hardware-aware training: clipping of the weights after each update.',
    source: 'aihwkit/simulator/configs/utils.py; src/rpucuda/weight_clipper.cpp',
  },
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
    about: "Constant update step up to hard bounds. Its fields are the ones all pulsed devices share (aihwkit's `PulsedDevice`).",
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
  ExpStepDevice: {
    about: 'Exponential update step (CMOS-like, fit of Gong et al. 2018).',
    source: 'aihwkit/simulator/configs/devices.py; src/rpucuda/rpu_expstep_device.cpp',
  },
  PowStepDevice: {
    about: 'Update step that is a power of the distance to the bound (Fusi & Abbott 2007).',
    source: 'aihwkit/simulator/configs/devices.py; src/rpucuda/rpu_powstep_device.cpp',
  },
  SoftBoundsPmaxDevice: {
    about:
      'Soft bounds parameterised by a pulse experiment: `pMax` up pulses take the weight from `rangeMin` to `rangeMax`. aihwkit builds it as a SoftBoundsDevice with B = (range_max − range_min)/(1 − e^(−p_max·alpha)), w_min = range_min, w_max = range_min + B, dw_min = B·alpha, up_down = 1 + 2·range_min/B (`softBoundsOfPmax(device)` gives that SoftBoundsDevice). ' +
      "`dwMin`, `upDown`, `wMax` and `wMin` are null in aihwkit's dataclass and overwritten when the device is built, so here they only take null. Device-to-device spreads (`dwMinDtod`, `wMaxDtod`, ...) act on the computed values; the tile's hidden parameters are the SoftBoundsDevice's (with slope_up, slope_down). Checked against aihwkit by the oracle's `devices` cases.",
    source: 'aihwkit/simulator/configs/devices.py (SoftBoundsPmaxDevice.as_bindings)',
    refused: [
      '`dwMin`, `upDown`, `wMax`, `wMin` other than null (aihwkit would overwrite them).',
      '`rangeMax` <= `rangeMin` (B would be 0 or negative).',
      'Computed bounds that do not contain 0 (`rangeMin` > 0), and `reverseUp`/`reverseDown` without `multNoise`, as for SoftBoundsDevice.',
    ],
  },
  SoftBoundsReferenceDevice: {
    about:
      'Soft bounds with a fixed reference conductance R subtracted (differential read W − R), R = reference_mean + reference_std·ξ. A pulse acts on the conductance g = W + R: down g −= dwmin_down·(1 − g/min_bound), up g += dwmin_up·(1 − g/max_bound) (the ratio taken only when min_bound < 0, max_bound > 0), times (1 + dw_min_std·ξ) with `multNoise` (default false: dwmin·(1 − ratio + dw_min_std·ξ)), g clipped to the bounds, W = g − R. ' +
      'Construction: where max_bound > 0 > min_bound the slopes dwmin/bound vary by |1 + slope_*_dtod·ξ| and the bounds follow (max_bound = dwmin_up/slope_up, min_bound = −dwmin_down/slope_down); with `subtractSymmetryPoint` the symmetry point (dwmin_up − dwmin_down)/(dwmin_up/max_bound − dwmin_down/min_bound) is added to R and to reset_bias. Hidden parameters: the pulsed ones, persistent_weights under write noise, then `reference`. ' +
      "aihwkit 0.7.1 quirk: set_weights, decay, diffusion and reset clip W itself (not W + R) to the bounds; only the update works on W + R. No oracle case covers this device (the formulas are aihwkit's C++, tested in backend-ndarray/test/new-devices.test.ts).",
    source: 'aihwkit/simulator/configs/devices.py; src/rpucuda/rpu_softbounds_reference_device.cpp',
  },
  PowStepReferenceDevice: {
    about:
      "PowStepDevice without write noise, with a static reference conductance subtracted (W − R), R = reference_mean + reference_std·ξ: a pulse is PowStep's on g = W + R, clipped, W = g − R (no change where max_bound = min_bound). With `subtractSymmetryPoint` the symmetry point, estimated as aihwkit does by `nEstimationSteps` noise-free down/up pulse pairs from 0 (<= 0: round(10·range/min(dwmin_up, dwmin_down)), at most 10000), is added to R and to reset_bias. Hidden parameters: the pulsed ones, gamma_up, gamma_down, `reference`; the weight granularity is PowStep's. " +
      'aihwkit 0.7.1 quirk: as for SoftBoundsReferenceDevice, only the update works on W + R. No oracle case covers this device (tested against the formulas in backend-ndarray/test/new-devices.test.ts).',
    source: 'aihwkit/simulator/configs/devices.py; src/rpucuda/rpu_powstep_reference_device.cpp',
  },
  PiecewiseStepDevice: {
    about:
      "Update step interpolated linearly between nodes spread evenly over each device's [min bound, max bound]: with n = len − 1 segments, q = max((w − min_bound)/(max_bound − min_bound)·n, 0), i = min(floor(q), n − 1), t = min(q − i, 1), step = dwmin·((1 − t)·v[i] + t·v[i+1]); with one node (or max_bound <= min_bound) step = dwmin·v[0]. Its weight granularity (for the pulse count of the update management) is dw_min·piecewise_up[len/2]. No hidden parameters beyond the pulsed ones (and persistent_weights under write noise). Checked against aihwkit by the oracle's `devices` cases.",
    source: 'aihwkit/simulator/configs/devices.py; src/rpucuda/rpu_piecewisestep_device.h',
    refused: ['`piecewiseUp` and `piecewiseDown` of different lengths: aihwkit: "piecewise_up_vec and piecewise_down_vec needs to have some size."'],
  },
  VectorUnitCell: {
    about:
      "Several devices per cross-point; the visible weight is Σ gamma_vec[k]·W_k (1/n each when `gammaVec` is empty). The pulses of a batch row are computed once, with the cell's granularity (the mean of its devices'), and go to every device (All), to the device of the hidden update index (SingleFixed), to the next device (SingleSequential: the index advances before every batch row, so after set_weights the first row goes to `firstUpdateIdx` + 1, not to `firstUpdateIdx` as aihwkit's docs say) or to a random one (SingleRandom). " +
      "set_weights writes W into every device (so gamma_vec [1, 0.5] shows 1.5·W), except with SingleFixed, where only the current device is written. `unitCellDevices` may hold any single pulsed device or unit cell; the cell's `constructionSeed` seeds all of them (theirs are ignored). " +
      COMPOUND_SIMULATED,
    source: 'aihwkit/simulator/configs/compounds.py; src/rpucuda/rpu_vector_device.cpp',
    refused: [
      '`gammaVec` neither empty nor one weight per device: aihwkit: "Gamma vector should have the same length as number of devices (or empty)!"',
      '`firstUpdateIdx` that is not the index of a device.',
    ],
  },
  ReferenceUnitCell: {
    about:
      'Two devices per cross-point, the second a fixed reference: W = W_0 − W_1 (gamma_vec [1, −1], SingleFixed, only device `firstUpdateIdx` is updated). One device given is used twice (an independent copy with its own draws). The reference starts at 0 unless set (set the hidden update index to 1, set the weights, set it back). ' +
      COMPOUND_SIMULATED,
    source: 'aihwkit/simulator/configs/compounds.py (ReferenceUnitCell.as_bindings); src/rpucuda/rpu_vector_device.cpp',
    refused: ['More than two devices (aihwkit silently drops all but the first two).', '`gammaVec` that is not empty or two weights.'],
  },
  OneSidedUnitCell: {
    about:
      'A pair of devices per cross-point, g⁺ (device 1, weight +1) and g⁻ (device 0, weight −1), each pulsed in one direction only: a pulse that would increase W is an up pulse on g⁺, one that would decrease it an up pulse on g⁻; set_weights gives g⁺ = max(W, 0), g⁻ = max(−W, 0). Both are drawn from the first device spec (independent draws). ' +
      "`copyInverted`: device 1's own bounds are mirrored and its up/down steps swapped, but LinearStep/SoftBounds slopes are copied from device 0. Refresh (`refreshEvery` > 0, counted in batch rows, times the batch size with `unitsInMbatch`): each column of both devices is read with `refreshForward`; where the larger (relative to the spec's |w_max|) is above `refreshUpperThres` and the smaller above `refreshLowerThres`, both are reset and |g⁺ − g⁻| is rewritten onto one of them with `refreshUpdate` (learning rate −1). " +
      'aihwkit 0.7.1 quirk: with DeterministicImplicit or MeanCount refresh pulses the sign of that negative rate is lost, so the difference is written with the wrong sign (StochasticCompressed is right). ' +
      COMPOUND_SIMULATED,
    source: 'aihwkit/simulator/configs/compounds.py; src/rpucuda/rpu_onesided_device.cpp',
    refused: [
      'More than two devices: aihwkit: "Need 1 or 2 unit_cell_devices".',
      'A unit cell as a device (a one-sided cell takes single pulsed devices), or two devices of different types: aihwkit: "both devices need to be of the same type".',
      'Two devices that differ (aihwkit uses the first spec for both; give one).',
    ],
  },
  DifferenceUnitCell: {
    about: "aihwkit 0.7.1's deprecated alias of OneSidedUnitCell: same fields, checks and behaviour. " + COMPOUND_SIMULATED,
    source: 'aihwkit/simulator/configs/compounds.py',
    refused: ['As OneSidedUnitCell.'],
  },
  TransferCompound: {
    about:
      "Tiki-Taka (Gokmen & Haensch 2020). SGD pulses go to device 0 only (with `fastLr` when > 0, else the tile's learning rate; the granularity is the mean over all devices). After every batch row a counter advances; device j transfers to j + 1 when counter % e_j = 0, e_j = ceil(transfer_every_vec[j]·batch) with `unitsInMbatch`, else round(transfer_every_vec[j]). " +
      "By default transfer_every_vec[j] = transfer_every·(out_size/n_reads_per_transfer)^j with out_size the length of a read vector (aihwkit's docs say x_size), and 0 for the last device. A transfer reads `nReadsPerTransfer` consecutive columns (rows with `transferColumns` false), continuing where the last stopped (a random start with `randomSelection`), through `transferForward` with its noise and bound management forced to None, and writes each read vector onto device j + 1 as a pulsed rank-1 update with `transferUpdate` and learning rate transfer_lr_vec[j] (times the tile's with `scaleTransferLr`). " +
      '`gamma` 0 is "fully hidden": only the last device is visible; set_weights zeroes every device and gives the last W/gamma_vec[last]. `withResetProb`: after each read the whole chunk of device j is reset with that probability, so with several reads per transfer the later columns are read after their reset. Only the first device may differ: every device after it is built from device 1\'s spec. ' +
      COMPOUND_SIMULATED,
    source: 'aihwkit/simulator/configs/compounds.py; src/rpucuda/rpu_transfer_device.cpp',
    refused: [
      'One device only: aihwkit: "Need at least 2 devices".',
      "A device after the second that differs from the second (aihwkit silently builds it from the second's spec).",
      '`gammaVec` of another length than the devices, or with a last weight of 0: aihwkit: "Expect that last device has some constribution to the network weights".',
      '`transferLrVec` or `transferEveryVec` of another length than the devices.',
      '`withResetProb` > 0 with `transferColumns` false: aihwkit: "Reset prob is only implemented for column-transfer so far."',
      'A transfer schedule that can never fire, which aihwkit silently turns into "no transfer": a negative entry of `transferEveryVec` (use 0 for none), or, with `unitsInMbatch` false, a cycle in (0, 0.5) that rounds to 0.',
    ],
  },
  BufferedTransferCompound: {
    about:
      'Tiki-Taka v2 (Gokmen 2021): each read column v goes into a float buffer ω = buffer + v·|lr_t| (lr_t also times gamma_vec[j]/gamma_vec[j+1] when both are > 0); n = trunc(ω/(thres_scale·g)) clamped to ±desired_bl of `transferUpdate`, g the granularity of device j + 1; device j + 1 gets a pulsed update with d = −n and learning rate step·g; the buffer becomes ω·momentum where n ≠ 0 (`forgetBuffer`), else ω − (1 − momentum)·n·thres_scale·g. The last device never transfers. ' +
      'Its own `transferUpdate` default is desired_bl 1 without update or BL management (the TTv2 presets replace it with PresetUpdateParameters). ' +
      COMPOUND_SIMULATED,
    source: 'aihwkit/simulator/configs/compounds.py; src/rpucuda/rpu_buffered_transfer_device.cpp',
    refused: ['As TransferCompound.'],
  },
  MixedPrecisionCompound: {
    about:
      "Mixed precision (Nandakumar et al. 2020): per batch row χ += lr·d·xᵀ in a digital matrix (x and d first quantised by their abs-max into `nXBins`/`nDBins` bins, stochastically rounded with `stocRoundX`/`stocRoundD`). Batch rows are counted from 0 after set_weights; after χ took row k, when k > 0 and k % (transfer_every·batch) = 0, `nRowsPerTransfer` rows (−1: all, 0: none) from the current row on are transferred: n = trunc(χ_row/ε), χ_row −= n·ε, then a pulsed update of that row with x = n and learning rate ε·transfer_lr, through the RPU config's `update` with update and BL management forced on; ε = `granularity`, or the device's when 0. " +
      "So the first update call never changes the weights: its χ is written at the first row of the next call. aihwkit's default `device` is an empty VectorUnitCell, which aihwkit cannot build: give a device. " +
      COMPOUND_SIMULATED,
    source: 'aihwkit/simulator/configs/compounds.py; src/rpucuda/rpu_mixedprec_device_base.cpp, rpu_mixedprec_device.cpp',
    refused: ['Only one of `nXBins` and `nDBins` > 0: aihwkit 0.7.1 then stores the quantised d at a wrong index and χ stays 0, so nothing is ever learned.'],
  },
  UnitCellRPUConfig: {
    about:
      "Analog tile with a unit cell of several devices per cross-point (VectorUnitCell, ReferenceUnitCell, OneSidedUnitCell, TransferCompound, BufferedTransferCompound). aihwkit's default `device` is the abstract `UnitCell`, which it cannot build; here it is an empty VectorUnitCell: give its `unitCellDevices`. " +
      COMPOUND_SIMULATED,
    source: 'aihwkit/simulator/configs/configs.py',
  },
  DigitalRankUpdateRPUConfig: {
    about:
      "Analog tile whose rank update is computed in digital (MixedPrecisionCompound) and transferred to the analog devices with pulses (`update`). aihwkit's default `device` is the abstract `DigitalRankUpdateCell`; here it is a MixedPrecisionCompound. " +
      COMPOUND_SIMULATED,
    source: 'aihwkit/simulator/configs/configs.py',
  },
  PCMLikeNoiseModel: {
    about:
      "Statistical PCM model of programming noise, drift and 1/f read noise (Nandakumar et al. 2019) in inference, on a single-pair conductance converter. aihwkit's noise model is not a dataclass: its constructor arguments are the fields here, with the converter's `g_min` folded in.",
    source: 'aihwkit/inference/noise/pcm.py, aihwkit/inference/converter/conductance.py',
    refused: ['`gMin` > `gMax`: aihwkit: "g_min should be smaller than g_max".'],
  },
  GlobalDriftCompensation: {
    about:
      'Global drift compensation: one factor from the mean absolute output for one-hot (eye) inputs, measured after programming and at each drift; applied in test mode.',
    source: 'aihwkit/inference/compensation/drift.py',
  },
};

const esc = (s) => String(s).replace(/\|/g, '\\|');

/** A device in a few words: its class, its sub-devices and, where a device preset gives exactly its values, the preset's name. */
function describeDevice(device) {
  const name = device.constructor.configName ?? device.constructor.name;
  const subs = Array.isArray(device.unitCellDevices) ? device.unitCellDevices : device.device ? [device.device] : [];
  if (subs.length === 0) return `\`${name}\``;
  const inner = subs.map((d) => d.constructor.configName ?? d.constructor.name);
  const counted = [...new Set(inner)].map((n) => `${inner.filter((x) => x === n).length} × ${n}`);
  return `\`${name}\` of ${counted.map((c) => `\`${c}\``).join(', ')}`;
}

/** Which presets an RPU config preset is made of (its fields equal to a preset's result). */
function rpuValues(made, presets, module) {
  // A preset of the same aihwkit file first (the web composer's IO preset has PresetIOParameters' values).
  presets = [...presets.filter((p) => p.module === module), ...presets.filter((p) => p.module !== module)];
  const parts = [];
  for (const key of ['device', 'forward', 'backward', 'update', 'clip', 'modifier', 'mapping']) {
    const v = made[key];
    if (v === undefined) continue;
    const same = presets.find((p) => p.kind !== 'rpuConfig' && p.create().equals(v));
    if (same) parts.push(`${key}: \`${same.name}\``);
    else if (key === 'device' && Array.isArray(v.unitCellDevices)) {
      const sub = presets.find((p) => p.kind === 'device' && v.unitCellDevices.length > 0 && v.unitCellDevices.every((d) => p.create().equals(d)));
      parts.push(`device: \`${v.constructor.configName}\`${sub ? ` of \`${sub.name}\`` : ''}${oneLineDiff(v, presets)}`);
    } else if (key === 'device' && v.device) {
      const sub = presets.find((p) => p.kind !== 'rpuConfig' && p.create().equals(v.device));
      parts.push(`device: \`${v.constructor.configName}\`${sub ? ` of \`${sub.name}\`` : ''}`);
    }
  }
  return parts.join('; ');
}

/** The compound's own fields that differ from its defaults (not its devices, not the nested IO/update presets). */
function oneLineDiff(compound, presets) {
  const C = compound.constructor;
  const fresh = new C();
  const diffs = [];
  for (const [k, f] of Object.entries(C.fields)) {
    if (f.kind === 'nestedList') continue;
    const a = compound[k];
    const b = fresh[k];
    const same = a && typeof a.equals === 'function' ? a.equals(b) : JSON.stringify(a) === JSON.stringify(b);
    if (same) continue;
    const named = f.kind === 'nested' ? presets.find((p) => p.kind !== 'rpuConfig' && p.create().equals(a)) : undefined;
    diffs.push(f.kind === 'nested' ? `${k}: ${named ? named.name : String(a).replace(/\s*\n\s*/g, ' ')}` : `${k}=${typeof a === 'string' ? `"${a}"` : a}`);
  }
  return diffs.length ? ` (${diffs.join(', ')})` : '';
}

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
    case 'nestedList':
      return `\`[${field.create().map(String).join(', ')}]\``;
    case 'derived':
      return '`null`';
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
  out.push(
    '<!-- Generated by `node tools/gen-config-docs.mjs` from the field tables in packages/core/src/config. Do not edit by hand: a core test fails when this file is stale. -->',
  );
  out.push('');
  out.push(
    "Every config class of `@crossbar/core`, with every field: its camelCase name, aihwkit's name, the default (aihwkit 0.7.1's), what values are allowed and what it means. " +
      "Meanings are aihwkit's (its docstrings and C++ sources, `/src/aihwkit/...` and `/src/rpucuda/...` of aihwkit v.0.7.1).",
  );
  out.push('');
  out.push('## Conventions');
  out.push('');
  out.push(
    "- **Names.** Fields are aihwkit's in camelCase (`out_noise` → `outNoise`); the dict form (`rpuConfigToDict`, `rpuConfigFromDict`, `configFromDict`) uses aihwkit's snake_case names as `dataclasses.asdict` gives them, e.g. `A_up` and `t_0`.",
  );
  out.push(
    "- **Construction.** `new IOParameters({ outNoise: 0 })`: a partial of camelCase fields; nested configs take an instance or a plain partial, which fills in from that field's default (so `new InferenceRPUConfig({ backward: { outNoise: 0 } })` keeps the perfect backward). Fields are public and may be changed afterwards; `validate()` re-checks (engines call it when they take a config).",
  );
  out.push(
    '- **Allowed values.** A value is refused only where aihwkit refuses it or cannot use it meaningfully. Values with a special meaning in aihwkit (`inpRes <= 0`: no quantisation, `outBound <= 0`: unbounded, ...) are accepted. NaN is never allowed; ±Infinity only where it says "±inf allowed" (`"inf"`/`"-inf"` in dicts). A refused value, an unknown key or a refused combination throws a `ConfigError` naming the config, the path, the field (both names), the value and what is allowed; `error.detail` has the same as data.',
  );
  out.push(
    "- **Printing.** `toString()` prints the fields that differ from their defaults, like aihwkit's `_PrintableMixin` (camelCase names, Python floats, `Enum.Value`; a nested config only when it differs from its default).",
  );
  out.push(
    '- **Dicts.** `rpuConfigToDict(config)` gives aihwkit\'s dict plus a `"type"` key naming the RPU config class and, where the class can vary, the device, the noise model and the drift compensation. `rpuConfigFromDict` reads it back losslessly; it also reads dicts without `"type"` keys where the keys tell the class (a full `dataclasses.asdict` output), and partial dicts (missing keys take the field\'s default).',
  );
  out.push(
    '- **Later aihwkit.** Fields and enum members that aihwkit 0.7.1 does not have are marked; engines that do not implement them refuse them with a `NotSupportedError`.',
  );
  out.push('');
  out.push('## Enums');
  out.push('');
  out.push("Values are aihwkit's strings (`enum.value` in Python). Members added after aihwkit 0.7.1 are marked with the version.");
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
        out.push("Has every field of [ConstantStepDevice](#constantstepdevice) (aihwkit's `PulsedDevice`), and:");
        out.push('');
        entries = entries.filter(([k, f]) => !shared.includes(k) || f !== PULSED_DEVICE_FIELDS[k]);
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
    "All 58 preset classes of aihwkit 0.7.1 (`aihwkit/simulator/presets/`: devices.py, compounds.py, utils.py, configs.py, web.py). A preset is a function returning an instance of its aihwkit base class with the preset's values; overrides go on top and nested partials merge into the preset's values: `ReRamESPreset({ forward: { outNoise: 0 } })`, `TikiTakaReRamSBPreset({ device: { transferEvery: 2 } })`. " +
      "The presets on UnitCellRPUConfig and DigitalRankUpdateRPUConfig are configs only until the compound physics lands (engines refuse them with a `NotSupportedError`). Each preset is checked field by field against aihwkit's source (packages/core/test/presets.test.ts).",
  );
  out.push('');
  out.push('| preset | aihwkit file | returns | device | values (the fields that differ from the class defaults) |');
  out.push('|---|---|---|---|---|');
  const oneLine = (c) =>
    esc(
      String(c)
        .replace(/\s*\n\s*/g, ' ')
        .replace(/\( /g, '(')
        .replace(/ \)/g, ')'),
    );
  for (const p of PRESETS) {
    const made = p.create();
    const device = made.device ?? (Array.isArray(made.unitCellDevices) ? made : undefined);
    const deviceText = device === undefined ? '—' : describeDevice(device);
    const values = p.kind === 'rpuConfig' ? "device as said; forward, backward, update: see the table's IO and update presets" : `\`${oneLine(made)}\``;
    out.push(`| \`${p.name}\` | ${p.module} | \`${p.base}\` | ${deviceText} | ${p.kind === 'rpuConfig' ? rpuValues(made, PRESETS, p.module) : values} |`);
  }
  out.push('');
  return out.join('\n');
}
