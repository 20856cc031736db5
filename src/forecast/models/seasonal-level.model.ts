/**
 * The seasonal level model: demand = level x seasonal profile x event uplifts.
 *
 * It is what a planner's rule of thumb ("this store sells about 12 a day, a third more on
 * Saturdays, more on SNAP days") becomes when estimated properly. Retail SKU x location
 * series are short on evidence one by one, so every estimate is shrunk towards the series'
 * group (its store or category) with pseudo-observations, the Gamma-Poisson posterior mean:
 *   profile[k] = (units in phase k + strength x group profile[k]) / (units expected in phase k + strength)
 *   uplift[e]  = (units on event days + strength x group uplift[e]) / (units expected on them + strength)
 * The level is the mean of the last `levelWindow` periods once profile and uplifts are
 * divided out, so a promotion or a busy weekday in the window does not inflate it.
 */
export interface SeasonalLevelSettings {
  /** Season length in periods (7 for daily data, 12 for monthly; 1 = no season). */
  period: number;
  /** Cycles of history the profile and uplifts are estimated from. */
  profileCycles: number;
  /** Periods the level is averaged over. */
  levelWindow: number;
  /** Pseudo-units pulling the profile towards the group's. */
  profileStrength: number;
  /** Pseudo-units pulling an event's uplift towards the group's. */
  eventStrength: number;
}

export const DAILY_SEASONAL_LEVEL: SeasonalLevelSettings = {
  period: 7,
  profileCycles: 52,
  levelWindow: 28,
  profileStrength: 28,
  eventStrength: 20,
};

/** A known calendar driver: 1 on the periods it applies to, in history and in the horizon. */
export interface EventFlags {
  name: string;
  history: ArrayLike<number>;
  future: ArrayLike<number>;
}

export interface SeasonalLevelInput {
  y: ArrayLike<number>;
  /** Absolute index of y[0], so that phases line up across a group (default 0). */
  start?: number;
  events?: EventFlags[];
  /** The group's profile (mean 1, indexed by absolute phase); flat when absent. */
  groupProfile?: ArrayLike<number>;
  /** The group's uplift per event name; 1 when absent. */
  groupUplift?: ReadonlyMap<string, number>;
}

export interface SeasonalLevelFit {
  level: number;
  profile: Float64Array;
  uplift: Map<string, number>;
  /** Deseasonalised units on each event's days and what the days without it predict: a group pools these. */
  eventEvidence: Map<string, { observed: number; expected: number }>;
}

/** Units per absolute phase over the profile window: what a group pools into its profile. */
export function phaseTotals(y: ArrayLike<number>, settings: SeasonalLevelSettings, start = 0): Float64Array {
  const m = settings.period;
  const totals = new Float64Array(m);
  const from = Math.max(0, y.length - settings.profileCycles * m);
  for (let t = from; t < y.length; t++) totals[(start + t) % m]! += y[t]!;
  return totals;
}

/** A profile with mean 1 from phase totals (flat when there are none). */
export function profileFromTotals(totals: ArrayLike<number>): Float64Array {
  const m = totals.length;
  let sum = 0;
  for (let k = 0; k < m; k++) sum += totals[k]!;
  const out = new Float64Array(m).fill(1);
  if (sum > 0) for (let k = 0; k < m; k++) out[k] = (totals[k]! * m) / sum;
  return out;
}

export function fitSeasonalLevel(
  input: SeasonalLevelInput,
  settings: SeasonalLevelSettings,
): SeasonalLevelFit {
  const { y } = input;
  const n = y.length;
  const m = Math.max(1, settings.period);
  const start = input.start ?? 0;
  const from = Math.max(0, n - settings.profileCycles * m);
  // Phases are counted over whole cycles only, so a partial cycle does not tilt the profile.
  const cycles = Math.floor((n - from) / m);
  const windowStart = n - cycles * m;
  const totals = new Float64Array(m);
  let total = 0;
  for (let t = windowStart; t < n; t++) {
    totals[(start + t) % m]! += y[t]!;
    total += y[t]!;
  }
  const profile = new Float64Array(m);
  const expectedPerPhase = total / m;
  for (let k = 0; k < m; k++) {
    const prior = input.groupProfile ? input.groupProfile[k]! : 1;
    profile[k] =
      (totals[k]! + settings.profileStrength * prior) / (expectedPerPhase + settings.profileStrength);
  }
  let mean = 0;
  for (let k = 0; k < m; k++) mean += profile[k]! / m;
  for (let k = 0; k < m; k++) profile[k] = mean > 0 ? profile[k]! / mean : 1;

  const events = input.events ?? [];
  const uplift = new Map<string, number>();
  const eventEvidence = new Map<string, { observed: number; expected: number }>();
  const fromWindow = Math.min(windowStart, Math.max(0, n - settings.levelWindow));
  for (const event of events) {
    let eventUnits = 0;
    let eventDays = 0;
    let otherUnits = 0;
    let otherDays = 0;
    for (let t = fromWindow; t < n; t++) {
      const d = y[t]! / profile[(start + t) % m]!;
      if (event.history[t]! > 0) {
        eventUnits += d;
        eventDays++;
      } else {
        otherUnits += d;
        otherDays++;
      }
    }
    const prior = input.groupUplift?.get(event.name) ?? 1;
    const baseline = otherDays > 0 ? otherUnits / otherDays : 0;
    const expected = baseline * eventDays;
    eventEvidence.set(event.name, { observed: eventUnits, expected });
    uplift.set(
      event.name,
      baseline > 0
        ? (eventUnits + settings.eventStrength * prior) / (expected + settings.eventStrength)
        : prior,
    );
  }
  const upliftAt = (flags: (e: EventFlags) => number) => {
    let u = 1;
    for (const event of events) if (flags(event) > 0) u *= uplift.get(event.name)!;
    return u;
  };
  const window = Math.min(n, settings.levelWindow);
  let level = 0;
  for (let t = n - window; t < n; t++)
    level += y[t]! / (profile[(start + t) % m]! * upliftAt((e) => e.history[t]!));
  level = window > 0 ? level / window : 0;
  return { level, profile, uplift, eventEvidence };
}

/** Forecasts h periods after the fitted history. */
export function seasonalLevelForecast(
  fit: SeasonalLevelFit,
  input: SeasonalLevelInput,
  h: number,
): Float64Array {
  const n = input.y.length;
  const m = fit.profile.length;
  const start = input.start ?? 0;
  const out = new Float64Array(h);
  for (let j = 0; j < h; j++) {
    let u = 1;
    for (const event of input.events ?? []) if (event.future[j]! > 0) u *= fit.uplift.get(event.name) ?? 1;
    out[j] = fit.level * fit.profile[(start + n + j) % m]! * u;
  }
  return out;
}
