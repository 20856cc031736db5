import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  activationStack,
  parseVersionRef,
  planPromotion,
  planRollback,
  resolveModelConfig,
  type TransitionRecord,
  type VersionRef,
} from './registry.ts';

const transition = (
  seq: number,
  action: TransitionRecord['action'],
  version_id: string,
): TransitionRecord => ({
  seq,
  model: 'm',
  version_id,
  action,
  from_status: null,
  to_status: 'active',
  previous_active: null,
  actor: 'tok_1',
  at: '2026-01-01T00:00:00.000Z',
  reason: null,
});

describe('forecast model configuration', () => {
  it('fills grain-dependent defaults and rejects bad settings by name', () => {
    const day = resolveModelConfig({});
    expect(day).toMatchObject({ grain: 'day', horizon: 28, period: 7, history_days: 365, windows: 3 });
    expect(day.drift).toEqual({
      wape_ratio: 1.5,
      tracking_limit: 4,
      min_bias: 0.1,
      min_periods: 7,
      min_units: 50,
    });
    const week = resolveModelConfig({ grain: 'week', quantiles: [0.9, 0.1, 0.9] });
    expect(week).toMatchObject({ horizon: 8, period: 1, history_days: 728, quantiles: [0.1, 0.9] });
    expect(week.drift.min_periods).toBe(2);
    expect(() => resolveModelConfig({ horizon: 0 })).toThrow(/horizon/);
    expect(() => resolveModelConfig({ methods: ['prophet'] })).toThrow(/methods/);
    expect(() => resolveModelConfig({ quantiles: [1.5] })).toThrow(/quantiles/);
    expect(() => resolveModelConfig({ grain: 'month' })).toThrow(/grain/);
    expect(() => resolveModelConfig({ colour: 'red' })).toThrow();
  });

  it('names versions by id or MODEL@N', () => {
    expect(parseVersionRef('default@3')).toEqual({ model: 'default', version: 3 });
    expect(parseVersionRef('fcv_01jx0000000000000000000000')).toEqual({
      id: 'fcv_01jx0000000000000000000000',
    });
    expect(() => parseVersionRef('v3')).toThrow(/not a forecast version/);
  });
});

describe('promotion and rollback', () => {
  const versions: VersionRef[] = [
    { id: 'a', model: 'm', version: 1, status: 'retired' },
    { id: 'b', model: 'm', version: 2, status: 'active' },
    { id: 'c', model: 'm', version: 3, status: 'candidate' },
    { id: 'x', model: 'other', version: 1, status: 'candidate' },
  ];

  it("retires the active version when another is promoted, and refuses another model's version", () => {
    expect(planPromotion(versions, versions[2]!)).toEqual({
      previous: 'b',
      changes: [
        { version_id: 'b', from_status: 'active', to_status: 'retired' },
        { version_id: 'c', from_status: 'candidate', to_status: 'active' },
      ],
    });
    expect(() => planPromotion(versions, versions[3]!, 'm')).toThrow(/belongs to model other/);
    expect(() => planPromotion(versions, versions[1]!)).toThrow(/already active/);
  });

  it('rolls back to the version active before, and not past the first', () => {
    const history = [transition(1, 'promote', 'a'), transition(2, 'promote', 'b')];
    expect(planRollback('m', versions, history)).toMatchObject({ from: 'b', to: 'a' });
    expect(() => planRollback('m', versions, history.slice(1))).toThrow(/no earlier active version/);
  });

  it('keeps the activation stack in step with any sequence of promotions and rollbacks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom('a', 'b', 'c', 'd'), fc.constant('rollback')), { maxLength: 30 }),
        (ops) => {
          // A reference model of the registry: the active version and the ones it replaced.
          const model: string[] = [];
          const log: TransitionRecord[] = [];
          ops.forEach((op, i) => {
            if (op === 'rollback') {
              if (model.length < 2) return;
              model.pop();
              log.push(transition(i, 'rollback', model.at(-1)!));
            } else {
              if (model.at(-1) === op) return;
              model.push(op);
              log.push(transition(i, 'promote', op));
            }
          });
          expect(activationStack(log)).toEqual(model);
        },
      ),
    );
  });
});
