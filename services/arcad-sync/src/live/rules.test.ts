import { describe, expect, it } from 'vitest';
import {
  decideAbsence,
  decideClientUpdate,
  decideDischarge,
  decideStay,
  endFields,
  type LiviaStay,
  sequenceStep,
} from './rules.ts';

const stay = (over: Partial<LiviaStay>): LiviaStay => ({
  liviaId: 'S1',
  arcadStayId: null,
  startDate: '2024-01-01',
  plannedEndDate: null,
  endDate: null,
  ...over,
});
const base = {
  serviceId: 'SV1',
  activityId: 'A1',
  residentId: 'R1',
  arcadStay: { stayId: 'ST1', startDate: '2024-03-01' },
};

describe('stays created in ARCAD (ARCAD always wins)', () => {
  it('ignores a service that is not a synchronised activity, even for an unknown resident', () => {
    expect(decideStay({ ...base, activityId: null, residentId: null, stays: [] })).toEqual({
      action: 'ignore',
      reason: 'ARCAD service SV1 is not a synchronised LIVIA activity',
    });
  });
  it('creates the resident and the stay for an unknown resident', () => {
    expect(decideStay({ ...base, residentId: null, stays: [] })).toEqual({
      action: 'create-resident-and-stay',
    });
  });
  it('creates the stay when the resident has none on the activity covering the date', () => {
    expect(decideStay({ ...base, stays: [] })).toEqual({ action: 'create-stay' });
    expect(decideStay({ ...base, stays: [stay({ endDate: '2024-02-01' })] })).toEqual({
      action: 'create-stay',
    });
  });
  it('updates the stay in progress covering the date', () => {
    expect(decideStay({ ...base, stays: [stay({})] })).toEqual({
      action: 'update-stay',
      liviaId: 'S1',
      reopen: false,
    });
  });
  it('reopens then updates a closed stay covering the date', () => {
    expect(decideStay({ ...base, stays: [stay({ endDate: '2024-06-30' })] })).toEqual({
      action: 'update-stay',
      liviaId: 'S1',
      reopen: true,
    });
  });
  it('updates the stay already linked to the ARCAD stay whatever its dates', () => {
    const linked = stay({ liviaId: 'S9', arcadStayId: 'ST1', startDate: '2025-01-01' });
    expect(decideStay({ ...base, stays: [stay({}), linked] })).toMatchObject({ liviaId: 'S9' });
  });
});

describe('discharges', () => {
  const facts = { ...base, discharge: { stayId: 'ST1', endDate: '2024-05-01' }, today: '2024-04-15' };
  it('ignores an unknown resident and a resident without a stay in progress', () => {
    expect(decideDischarge({ ...facts, residentId: null, stays: [] })).toEqual({
      action: 'ignore',
      reason: 'resident unknown to LIVIA',
    });
    expect(decideDischarge({ ...facts, stays: [stay({ endDate: '2024-02-01' })] })).toEqual({
      action: 'ignore',
      reason: 'no stay in progress on activity A1',
    });
  });
  it('plans a future end and closes at a past (or today) end', () => {
    expect(decideDischarge({ ...facts, stays: [stay({})] })).toEqual({
      action: 'plan-end',
      liviaId: 'S1',
      endDate: '2024-05-01',
    });
    expect(decideDischarge({ ...facts, today: '2024-05-01', stays: [stay({})] })).toEqual({
      action: 'close',
      liviaId: 'S1',
      endDate: '2024-05-01',
    });
  });
  it('gives a stay created with an end date the same split', () => {
    expect(endFields('2099-01-01', '2024-01-01')).toEqual({ plannedEndDate: '2099-01-01', endDate: null });
    expect(endFields('2020-01-01', '2024-01-01')).toEqual({ plannedEndDate: null, endDate: '2020-01-01' });
  });
});

describe('absences and administrative changes', () => {
  const facts = {
    change: 'created' as const,
    type: 'HOSPI',
    serviceId: 'SV1',
    activityId: 'A1',
    residentId: 'R1',
    existingLiviaId: null,
  };
  it('processes AUTRE and HOSPI only', () => {
    expect(decideAbsence(facts)).toEqual({ action: 'create' });
    expect(decideAbsence({ ...facts, type: 'AUTRE', change: 'updated', existingLiviaId: 'AB1' })).toEqual({
      action: 'update',
      liviaId: 'AB1',
    });
    expect(decideAbsence({ ...facts, change: 'deleted', existingLiviaId: 'AB1' })).toEqual({
      action: 'delete',
      liviaId: 'AB1',
    });
    expect(decideAbsence({ ...facts, type: 'VACANCES' })).toMatchObject({
      action: 'ignore',
      reason: expect.stringMatching(/VACANCES is not processed/),
    });
  });
  it('applies administrative changes to synchronised residents only', () => {
    expect(decideClientUpdate(null)).toMatchObject({ action: 'ignore' });
    expect(decideClientUpdate('R1')).toEqual({ action: 'update', residentId: 'R1' });
  });
});

describe('per-client order', () => {
  it('applies the next sequence, skips a replay, waits on a gap', () => {
    expect(sequenceStep(0, 1)).toBe('apply');
    expect(sequenceStep(3, 2)).toBe('replayed');
    expect(sequenceStep(3, 5)).toBe('wait');
  });
});
