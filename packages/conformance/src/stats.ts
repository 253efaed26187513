/**
 * The statistics the suite needs, in plain TypeScript (no dependencies, no
 * node: modules): summaries of samples, the distribution functions behind the
 * tests (normal, Student t, F, chi-square via the regularised incomplete gamma
 * and beta functions) and their quantiles, and the tests themselves.
 *
 * Tail probabilities are computed directly (never as 1 − CDF), so quantiles at
 * the small probabilities the suite uses (1e-12 and below) are accurate.
 */

// ---------------------------------------------------------------- special functions

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; ~15 significant digits). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) {
    // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPS = 1e-16;
const TINY = 1e-300;

/** Regularised gamma functions P(a, x) and Q(a, x) = 1 − P(a, x), each computed without cancellation. */
export function regularizedGamma(a: number, x: number): { p: number; q: number } {
  if (!(a > 0) || !(x >= 0)) throw new RangeError(`regularizedGamma needs a > 0 and x >= 0, got a=${a}, x=${x}`);
  if (x === 0) return { p: 0, q: 1 };
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // Series for P.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    const p = Math.min(1, sum * Math.exp(logPrefix));
    return { p, q: 1 - p };
  }
  // Continued fraction for Q (modified Lentz).
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  const q = Math.min(1, Math.exp(logPrefix) * h);
  return { p: 1 - q, q };
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 100000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b), and its complement 1 − I_x(a, b) = I_{1−x}(b, a), both without cancellation. */
export function regularizedBeta(x: number, a: number, b: number): { lower: number; upper: number } {
  if (!(a > 0) || !(b > 0)) throw new RangeError(`regularizedBeta needs a, b > 0, got a=${a}, b=${b}`);
  if (x <= 0) return { lower: 0, upper: 1 };
  if (x >= 1) return { lower: 1, upper: 0 };
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) {
    const lower = Math.min(1, (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a);
    return { lower, upper: 1 - lower };
  }
  const upper = Math.min(1, (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b);
  return { lower: 1 - upper, upper };
}

// ---------------------------------------------------------------- distributions (upper tails)

/** P(Z > z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  if (z === 0) return 0.5;
  // erfc(|z|/√2) = Q(1/2, z²/2)
  const { q } = regularizedGamma(0.5, (z * z) / 2);
  return z > 0 ? q / 2 : 1 - q / 2;
}

/** P(T > t) for Student's t with df degrees of freedom (df may be fractional, as in Welch's test). */
export function studentTUpperTail(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTUpperTail needs df > 0, got ${df}`);
  if (!Number.isFinite(df) || df > 1e7) return normalUpperTail(t);
  const x = df / (df + t * t);
  const tail = regularizedBeta(x, df / 2, 0.5).lower / 2; // P(|T| > |t|) / 2
  return t >= 0 ? tail : 1 - tail;
}

/** P(F > f) for the F distribution with (d1, d2) degrees of freedom. */
export function fUpperTail(f: number, d1: number, d2: number): number {
  if (f <= 0) return 1;
  if (!Number.isFinite(f)) return 0;
  const x = (d1 * f) / (d1 * f + d2);
  return regularizedBeta(x, d1 / 2, d2 / 2).upper;
}

/** P(X > x) for chi-square with k degrees of freedom. */
export function chiSquareUpperTail(x: number, k: number): number {
  if (x <= 0) return 1;
  return regularizedGamma(k / 2, x / 2).q;
}

/** P(X < x) for chi-square with k degrees of freedom. */
export function chiSquareLowerTail(x: number, k: number): number {
  if (x <= 0) return 0;
  return regularizedGamma(k / 2, x / 2).p;
}

/**
 * Solves tail(x) = p for x in [lo, ∞) where tail is decreasing from tail(lo) >= p
 * (bisection on a bracket found by doubling; ~1e-12 relative precision).
 */
function invertDecreasing(tail: (x: number) => number, p: number, lo: number, start: number): number {
  let a = lo;
  let b = start;
  let guard = 0;
  while (tail(b) > p) {
    a = b;
    b *= 2;
    if (++guard > 2000) return Infinity;
  }
  for (let i = 0; i < 200; i++) {
    const m = 0.5 * (a + b);
    if (m === a || m === b) break;
    if (tail(m) > p) a = m;
    else b = m;
    if (b - a <= 1e-13 * b) break;
  }
  return 0.5 * (a + b);
}

function checkProbability(p: number): void {
  if (!(p > 0 && p < 1)) throw new RangeError(`a tail probability must be in (0, 1), got ${p}`);
}

/** z with P(Z > z) = p. */
export function normalUpperQuantile(p: number): number {
  checkProbability(p);
  if (p === 0.5) return 0;
  if (p > 0.5) return -normalUpperQuantile(1 - p);
  return invertDecreasing(normalUpperTail, p, 0, 1);
}

/** t with P(T > t) = p, p <= 0.5. */
export function studentTUpperQuantile(p: number, df: number): number {
  checkProbability(p);
  if (p > 0.5) return -studentTUpperQuantile(1 - p, df);
  return invertDecreasing((t) => studentTUpperTail(t, df), p, 0, 1);
}

/** f with P(F > f) = p. */
export function fUpperQuantile(p: number, d1: number, d2: number): number {
  checkProbability(p);
  return invertDecreasing((f) => fUpperTail(f, d1, d2), p, 0, 1);
}

/** x with P(X > x) = p for chi-square with k degrees of freedom. */
export function chiSquareUpperQuantile(p: number, k: number): number {
  checkProbability(p);
  return invertDecreasing((x) => chiSquareUpperTail(x, k), p, 0, Math.max(1, k));
}

/** x with P(X < x) = p for chi-square with k degrees of freedom. */
export function chiSquareLowerQuantile(p: number, k: number): number {
  checkProbability(p);
  // P(X < x) increases in x: bisection on [0, median-ish].
  let a = 0;
  let b = Math.max(1, k);
  while (chiSquareLowerTail(b, k) < p) b *= 2;
  for (let i = 0; i < 200; i++) {
    const m = 0.5 * (a + b);
    if (m === a || m === b) break;
    if (chiSquareLowerTail(m, k) < p) a = m;
    else b = m;
    if (b - a <= 1e-13 * b) break;
  }
  return 0.5 * (a + b);
}

// ---------------------------------------------------------------- sample summaries

export interface SampleSummary {
  n: number;
  mean: number;
  /** Standard deviation with ddof 1 (like aihwkit's expected files); 0 for n < 2. */
  std: number;
  /** Sample excess kurtosis (0 for a normal distribution); 0 when the std is 0 or n < 4. */
  excessKurtosis: number;
}

/** Mean, std (ddof 1) and excess kurtosis of samples[offset + k·stride], k < n, in float64. */
export function summarize(samples: ArrayLike<number>, n: number, offset = 0, stride = 1): SampleSummary {
  let sum = 0;
  for (let k = 0; k < n; k++) sum += samples[offset + k * stride]!;
  const mean = sum / n;
  let m2 = 0;
  let m4 = 0;
  for (let k = 0; k < n; k++) {
    const d = samples[offset + k * stride]! - mean;
    const d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
  }
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
  const excessKurtosis = n >= 4 && m2 > 0 ? (n * m4) / (m2 * m2) - 3 : 0;
  return { n, mean, std, excessKurtosis };
}

/**
 * Effective degrees of freedom of a sample variance from n samples with the
 * given excess kurtosis κ: Var(s²)/σ⁴ ≈ 2/(n−1) + κ/n, matched to a scaled
 * chi-square with ν = 2 / that. Normal data (κ = 0) gives n − 1; heavy tails
 * give fewer (wider bounds); ν is clamped to [1, n − 1] (conservative for κ < 0).
 */
export function varianceDegreesOfFreedom(n: number, excessKurtosis: number): number {
  if (n < 2) return 0;
  const rel = 2 / (n - 1) + excessKurtosis / n;
  if (!(rel > 0)) return n - 1;
  return Math.min(n - 1, Math.max(1, 2 / rel));
}

/** Welch–Satterthwaite degrees of freedom of a difference of two means. */
export function welchDegreesOfFreedom(va: number, na: number, vb: number, nb: number): number {
  const a = va / na;
  const b = vb / nb;
  const num = (a + b) * (a + b);
  const den = (na > 1 ? (a * a) / (na - 1) : 0) + (nb > 1 ? (b * b) / (nb - 1) : 0);
  if (!(den > 0)) return Infinity;
  return num / den;
}

/**
 * One-sided p-value of Fisher's exact test for the table where all `k` samples
 * that differ from a constant fall in the sample of size `nWith` and none in
 * the sample of size `nWithout`: C(nWith, k) / C(nWith + nWithout, k).
 */
export function fisherAllInOne(k: number, nWith: number, nWithout: number): number {
  let logP = 0;
  for (let i = 0; i < k; i++) logP += Math.log((nWith - i) / (nWith + nWithout - i));
  return Math.exp(logP);
}
