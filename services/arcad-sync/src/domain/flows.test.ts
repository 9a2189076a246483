import { describe, expect, it } from 'vitest';
import { type FlowId, flowIds, flowTotals, lockReason, type ParentState, unresolvedOf } from './flows.ts';

const states = (overrides: Partial<Record<FlowId, Partial<ParentState>>> = {}) =>
  Object.fromEntries(
    flowIds.map((f) => [f, { completed: false, running: false, unresolvedErrors: 0, ...overrides[f] }]),
  ) as Record<FlowId, ParentState>;

describe('flow dependency order', () => {
  it('leaves flows without parents unlocked', () => {
    expect(lockReason('I.1', states())).toBeNull();
    expect(lockReason('I.2', states())).toBeNull();
    expect(lockReason('I.4', states())).toBeNull();
  });

  it('locks I.3 until I.2 has run, naming the parent', () => {
    expect(lockReason('I.3', states())).toMatch(/I\.2 \(Establishments\) has not run yet/);
    expect(lockReason('I.3', states({ 'I.2': { completed: true } }))).toBeNull();
  });

  it('locks a child while its parent has unresolved errors', () => {
    expect(lockReason('I.6', states({ 'I.4': { completed: true, unresolvedErrors: 3 } }))).toMatch(
      /I\.4 has 3 unresolved error/,
    );
  });

  it('locks I.5 until both I.3 and I.4 are clean', () => {
    const reason = lockReason('I.5', states({ 'I.3': { completed: true } }));
    expect(reason).toMatch(/I\.4/);
    expect(reason).not.toMatch(/I\.3/);
    expect(lockReason('I.5', states({ 'I.3': { completed: true }, 'I.4': { completed: true } }))).toBeNull();
  });

  it('refuses a second run of a running flow', () => {
    expect(lockReason('I.1', states({ 'I.1': { running: true } }))).toMatch(/already running/);
  });
});

describe('rows left sending', () => {
  it('are in flight, not errors, while a run of their flow is alive', () => {
    expect(unresolvedOf({ error: 2, sending: 30 }, true)).toEqual({ unresolvedErrors: 2, inFlight: 30 });
  });
  it('are unresolved (outcome unknown) once no run holds them', () => {
    expect(unresolvedOf({ error: 2, sending: 30 }, false)).toEqual({ unresolvedErrors: 32, inFlight: 0 });
  });
});

describe('flow totals', () => {
  it('keep the initial run once retries follow it', () => {
    const totals = flowTotals([
      { mode: 'full', sent: 110, errors: 3, skipped: 10 },
      { mode: 'retry', sent: 1, errors: 2, skipped: 0 },
      { mode: 'retry', sent: 2, errors: 0, skipped: 0 },
    ]);
    expect(totals).toEqual({ runs: 3, retryRuns: 2, sent: 113, sentByRetries: 3, failures: 5, heldBack: 10 });
  });
  it('are zero for a flow that never ran', () => {
    expect(flowTotals([])).toEqual({
      runs: 0,
      retryRuns: 0,
      sent: 0,
      sentByRetries: 0,
      failures: 0,
      heldBack: 0,
    });
  });
});
