import { minimise } from '../nelder-mead.ts';

/**
 * The ETS family of exponential smoothing state space models (Hyndman, Koehler, Ord and
 * Snyder 2008, "Forecasting with Exponential Smoothing"), written as the forecast package
 * for R writes them: error additive or multiplicative, trend none, additive or additive
 * damped, season none, additive or multiplicative. Parameters are maximum-likelihood
 * estimates found by Nelder-Mead within the package's "usual" bounds; the model is chosen
 * by AICc. Multiplicative error and season need strictly positive data, as in R.
 *
 * One simplification against R: the initial seasonal states come from the first cycles of
 * the series (the classical decomposition R also starts from) and are not re-optimised;
 * the initial level and slope are. On the long histories retail series have, the start
 * barely moves the forecast and it keeps a fit to a few milliseconds.
 */
export type EtsError = 'A' | 'M';
export type EtsTrend = 'N' | 'A' | 'Ad';
export type EtsSeason = 'N' | 'A' | 'M';

export interface EtsSpec {
  error: EtsError;
  trend: EtsTrend;
  season: EtsSeason;
}

export interface EtsFit {
  spec: EtsSpec;
  name: string;
  period: number;
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  /** Estimated initial states (before the first observation). */
  initialLevel: number;
  initialSlope: number;
  /** Final states after the last observation. */
  level: number;
  slope: number;
  /** seasonal[k] is the latest seasonal term of phase k (time t has phase t mod period). */
  seasonal: Float64Array;
  /** Observations fitted (the phase of the first forecast step is n mod period). */
  n: number;
  sigma2: number;
  logLikelihood: number;
  aicc: number;
  /** Number of estimated parameters, the error variance included. */
  parameters: number;
}

const TOL = 1e-10;

export function etsName(spec: EtsSpec): string {
  return `ETS(${spec.error},${spec.trend},${spec.season})`;
}

interface States {
  level: number;
  slope: number;
  seasonal: Float64Array;
}

/**
 * Runs the model over y from the given initial states (mutated into the final states) and
 * returns -2 log-likelihood up to a constant: n log(sum e^2) (+ 2 sum log|yhat| for
 * multiplicative error), as etscalc does in R.
 */
function run(
  y: ArrayLike<number>,
  spec: EtsSpec,
  period: number,
  alpha: number,
  beta: number,
  gamma: number,
  phi: number,
  s: States,
  residuals?: Float64Array,
): number {
  if (spec.error === 'A' && spec.season !== 'M')
    return runAdditive(
      y,
      spec.season === 'A' ? period : 0,
      spec.trend !== 'N',
      alpha,
      beta,
      gamma,
      phi,
      s,
      residuals,
    );
  const n = y.length;
  let sse = 0;
  let logSum = 0;
  let l = s.level;
  let b = s.slope;
  const seas = s.seasonal;
  const m = period;
  for (let t = 0; t < n; t++) {
    const k = spec.season === 'N' ? 0 : t % m;
    const sOld = spec.season === 'N' ? 0 : seas[k]!;
    let q: number;
    let phib = 0;
    if (spec.trend === 'N') q = l;
    else {
      phib = phi * b;
      q = l + phib;
    }
    const yhat = spec.season === 'N' ? q : spec.season === 'A' ? q + sOld : q * sOld;
    const yt = y[t]!;
    let e: number;
    if (spec.error === 'A') e = yt - yhat;
    else {
      if (Math.abs(yhat) < TOL) return Number.POSITIVE_INFINITY;
      e = (yt - yhat) / yhat;
      logSum += Math.log(Math.abs(yhat));
    }
    if (residuals) residuals[t] = e;
    sse += e * e;
    // State updates in the error-free form of the forecast package (update() in etscalc.c).
    let p: number;
    if (spec.season === 'N') p = yt;
    else if (spec.season === 'A') p = yt - sOld;
    else p = Math.abs(sOld) < TOL ? 1e10 : yt / sOld;
    const newLevel = q + alpha * (p - q);
    if (spec.trend !== 'N') b = phib + (beta / alpha) * (newLevel - l - phib);
    if (spec.season === 'A') seas[k] = sOld + gamma * (yt - q - sOld);
    else if (spec.season === 'M') seas[k] = sOld + gamma * (yt / q - sOld);
    l = newLevel;
    if (!Number.isFinite(l)) return Number.POSITIVE_INFINITY;
  }
  s.level = l;
  s.slope = b;
  if (sse <= 0) sse = 1e-300;
  return spec.error === 'A' ? n * Math.log(sse) : n * Math.log(sse) + 2 * logSum;
}

/**
 * run() for additive error with no season or an additive one (`period` 0: none), the
 * models most retail series end up fitting: the same arithmetic in the same order, so the
 * same figures, with the model's shape decided once rather than at every step.
 */
function runAdditive(
  y: ArrayLike<number>,
  period: number,
  trended: boolean,
  alpha: number,
  beta: number,
  gamma: number,
  phi: number,
  s: States,
  residuals: Float64Array | undefined,
): number {
  const n = y.length;
  const seas = s.seasonal;
  const seasonal = period > 0;
  let sse = 0;
  let l = s.level;
  let b = s.slope;
  let k = 0;
  for (let t = 0; t < n; t++) {
    const sOld = seasonal ? seas[k]! : 0;
    const phib = trended ? phi * b : 0;
    const q = trended ? l + phib : l;
    const yt = y[t]!;
    const e = seasonal ? yt - (q + sOld) : yt - q;
    if (residuals) residuals[t] = e;
    sse += e * e;
    const newLevel = q + alpha * ((seasonal ? yt - sOld : yt) - q);
    if (trended) b = phib + (beta / alpha) * (newLevel - l - phib);
    if (seasonal) {
      seas[k] = sOld + gamma * (yt - q - sOld);
      if (++k === period) k = 0;
    }
    l = newLevel;
    if (!Number.isFinite(l)) return Number.POSITIVE_INFINITY;
  }
  s.level = l;
  s.slope = b;
  if (sse <= 0) sse = 1e-300;
  return n * Math.log(sse);
}

/** Initial states from the first cycles: the seasonal pattern, then level and slope. */
function initialStates(y: ArrayLike<number>, spec: EtsSpec, period: number): States {
  const m = spec.season === 'N' ? 1 : period;
  const seasonal = new Float64Array(m).fill(spec.season === 'M' ? 1 : 0);
  let deseason = (t: number) => y[t]!;
  if (spec.season !== 'N') {
    const cycles = Math.min(4, Math.floor(y.length / m));
    for (let c = 0; c < cycles; c++) {
      let mean = 0;
      for (let k = 0; k < m; k++) mean += y[c * m + k]! / m;
      for (let k = 0; k < m; k++) {
        const v = y[c * m + k]!;
        seasonal[k]! += (spec.season === 'A' ? v - mean : mean > 0 ? v / mean : 1) / cycles;
      }
    }
    // Normalise: additive terms sum to zero, multiplicative ones average one.
    let total = 0;
    for (let k = 0; k < m; k++) total += seasonal[k]!;
    for (let k = 0; k < m; k++)
      seasonal[k] = spec.season === 'A' ? seasonal[k]! - total / m : seasonal[k]! / (total / m);
    deseason = (t: number) =>
      spec.season === 'A' ? y[t]! - seasonal[t % m]! : y[t]! / Math.max(seasonal[t % m]!, TOL);
  }
  const span = Math.min(y.length, Math.max(10, 2 * m));
  // Least-squares line through the first observations, as R's initstate does.
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let t = 0; t < span; t++) {
    const v = deseason(t);
    sx += t + 1;
    sy += v;
    sxx += (t + 1) * (t + 1);
    sxy += (t + 1) * v;
  }
  const slope = spec.trend === 'N' || span < 3 ? 0 : (span * sxy - sx * sy) / (span * sxx - sx * sx);
  const level = spec.trend === 'N' ? sy / span : sy / span - (slope * sx) / span;
  return { level, slope, seasonal };
}

export interface EtsOptions {
  /** Evaluation budget for Nelder-Mead per model (default 400). */
  maxEvaluations?: number;
}

/** Fits one ETS model by maximum likelihood; null when the data cannot carry it. */
export function fitEts(
  y: ArrayLike<number>,
  spec: EtsSpec,
  period = 1,
  options: EtsOptions = {},
): EtsFit | null {
  const n = y.length;
  const seasonal = spec.season !== 'N';
  if (seasonal && (period < 2 || n < 2 * period + 2)) return null;
  if (spec.error === 'M' || spec.season === 'M') {
    for (let t = 0; t < n; t++) if (y[t]! <= 0) return null;
  }
  const damped = spec.trend === 'Ad';
  const trended = spec.trend !== 'N';
  const init = initialStates(y, spec, period);
  // Parameter vector: alpha, [beta], [gamma], [phi], level0, [slope0].
  const names: string[] = ['alpha'];
  if (trended) names.push('beta');
  if (seasonal) names.push('gamma');
  if (damped) names.push('phi');
  const scale = Math.max(1e-6, Math.abs(init.level));
  const start = [0.1, ...(trended ? [0.01] : []), ...(seasonal ? [0.01] : []), ...(damped ? [0.95] : [])];
  const x0 = [...start, init.level / scale, ...(trended ? [init.slope / scale] : [])];
  const states: States = { level: 0, slope: 0, seasonal: new Float64Array(init.seasonal.length) };
  const unpack = (x: number[]) => {
    let i = 0;
    const alpha = x[i++]!;
    const beta = trended ? x[i++]! : 0;
    const gamma = seasonal ? x[i++]! : 0;
    const phi = damped ? x[i++]! : 1;
    const level = x[i++]! * scale;
    const slope = trended ? x[i++]! * scale : 0;
    return { alpha, beta, gamma, phi, level, slope };
  };
  const admissible = (p: ReturnType<typeof unpack>) =>
    p.alpha >= 1e-4 &&
    p.alpha <= 0.9999 &&
    (!trended || (p.beta >= 1e-4 && p.beta <= p.alpha)) &&
    (!seasonal || (p.gamma >= 1e-4 && p.gamma <= 1 - p.alpha)) &&
    (!damped || (p.phi >= 0.8 && p.phi <= 0.98));
  const objective = (x: number[]) => {
    const p = unpack(x);
    if (!admissible(p)) return Number.POSITIVE_INFINITY;
    states.level = p.level;
    states.slope = p.slope;
    states.seasonal.set(init.seasonal);
    return run(y, spec, period, p.alpha, p.beta, p.gamma, p.phi, states);
  };
  const steps = x0.map((v, i) =>
    i < start.length ? (names[i] === 'phi' ? 0.02 : 0.05) : Math.max(0.05, Math.abs(v) * 0.1),
  );
  const best = minimise(objective, x0, {
    steps,
    maxEvaluations: options.maxEvaluations ?? 400,
    tolerance: 1e-7,
  });
  if (!Number.isFinite(best.value)) return null;
  const p = unpack(best.x);
  const final: States = { level: p.level, slope: p.slope, seasonal: init.seasonal.slice() };
  const residuals = new Float64Array(n);
  const lik = run(y, spec, period, p.alpha, p.beta, p.gamma, p.phi, final, residuals);
  let sse = 0;
  for (let t = 0; t < n; t++) sse += residuals[t]! ** 2;
  // Estimated: smoothing parameters, initial level and slope, the seasonal start (m - 1 free), sigma.
  const k = names.length + 1 + (trended ? 1 : 0) + (seasonal ? period - 1 : 0) + 1;
  // -2 log L = n log(SSE/n) + n (1 + log 2 pi) [+ 2 sum log|yhat|]; lik holds n log SSE [+ ...].
  const minus2LogL = lik - n * Math.log(n) + n * (1 + Math.log(2 * Math.PI));
  const aic = minus2LogL + 2 * k;
  const aicc = n - k - 1 > 0 ? aic + (2 * k * (k + 1)) / (n - k - 1) : Number.POSITIVE_INFINITY;
  return {
    spec,
    name: etsName(spec),
    period: seasonal ? period : 1,
    alpha: p.alpha,
    beta: p.beta,
    gamma: p.gamma,
    phi: p.phi,
    initialLevel: p.level,
    initialSlope: p.slope,
    level: final.level,
    slope: final.slope,
    seasonal: final.seasonal,
    n,
    sigma2: sse / Math.max(1, n - k),
    logLikelihood: -minus2LogL / 2,
    aicc,
    parameters: k,
  };
}

/** Point forecasts h steps ahead (the conditional mean for the linear models). */
export function etsForecast(fit: EtsFit, h: number): Float64Array {
  const out = new Float64Array(h);
  let damp = 0;
  for (let j = 1; j <= h; j++) {
    damp += fit.spec.trend === 'Ad' ? fit.phi ** j : 1;
    const trendPart = fit.spec.trend === 'N' ? fit.level : fit.level + damp * fit.slope;
    const s = fit.spec.season === 'N' ? 0 : fit.seasonal[(fit.n + j - 1) % fit.period]!;
    out[j - 1] =
      fit.spec.season === 'N' ? trendPart : fit.spec.season === 'A' ? trendPart + s : trendPart * s;
  }
  return out;
}

/**
 * Forecast variance h steps ahead. Exact for the additive-error, additive models (class 1
 * in Hyndman et al. 2008, ch. 6): sigma^2 (1 + sum_{j<h} c_j^2) with
 * c_j = alpha + beta (phi + ... + phi^j) + gamma [j mod m = 0]. For multiplicative error the
 * relative variance is applied to the point forecast (a first-order approximation).
 */
export function etsVariance(fit: EtsFit, h: number): Float64Array {
  const out = new Float64Array(h);
  const mean = fit.spec.error === 'M' ? etsForecast(fit, h) : null;
  let acc = 1;
  let damp = 0;
  for (let j = 1; j <= h; j++) {
    out[j - 1] = fit.sigma2 * acc * (mean ? mean[j - 1]! ** 2 : 1);
    damp += fit.spec.trend === 'Ad' ? fit.phi ** j : fit.spec.trend === 'A' ? 1 : 0;
    const c = fit.alpha + fit.beta * damp + (fit.spec.season !== 'N' && j % fit.period === 0 ? fit.gamma : 0);
    acc += c * c;
  }
  return out;
}

const ALL_SPECS: EtsSpec[] = (['A', 'M'] as const).flatMap((error) =>
  (['N', 'A', 'Ad'] as const).flatMap((trend) =>
    (['N', 'A', 'M'] as const).map((season) => ({ error, trend, season })),
  ),
);

/**
 * Fits every admissible ETS model and keeps the one with the lowest AICc (R's `ets()`
 * with its defaults: no multiplicative trend, and multiplicative error with additive
 * season excluded as numerically unstable).
 */
export function autoEts(y: ArrayLike<number>, period = 1, options: EtsOptions = {}): EtsFit | null {
  let best: EtsFit | null = null;
  for (const spec of ALL_SPECS) {
    if (spec.error === 'M' && spec.season === 'A') continue;
    if (spec.season !== 'N' && period < 2) continue;
    const fit = fitEts(y, spec, period, options);
    if (fit && (best === null || fit.aicc < best.aicc)) best = fit;
  }
  return best;
}
