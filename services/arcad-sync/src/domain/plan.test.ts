import { describe, expect, it } from 'vitest';
import { LiviaActivity, LiviaIntervenant, LiviaResident } from './liviaEntities.ts';
import { inRetrySelection, planFlow, proposableActivities, type SyncState, syncKey } from './plan.ts';

const synced = (arcadId: string): SyncState => ({ status: 'synced', arcadId, attempts: 1 });
const resident = (id: string, extra: Partial<LiviaResident> = {}) =>
  LiviaResident.parse({ id, lastName: 'L', firstName: 'F', birthDate: '1930-01-01', sex: 'F', ...extra });

describe('flow planning', () => {
  it('I.4 never sends deceased residents and lists them as held back', () => {
    const plan = planFlow('I.4', {
      residents: [resident('r1'), resident('r2', { deceased: true })],
      sync: new Map(),
    });
    expect(plan.items.map((i) => i.liviaId)).toEqual(['r1']);
    expect(plan.skipped).toEqual([{ entity: 'resident', liviaId: 'r2', reason: 'deceased: never sent' }]);
  });

  it('re-plans only what is not synchronised yet, errors included', () => {
    const plan = planFlow('I.4', {
      residents: [resident('r1'), resident('r2'), resident('r3')],
      sync: new Map([
        [syncKey('resident', 'r1'), synced('C1')],
        [syncKey('resident', 'r2'), { status: 'error', arcadId: null, attempts: 2 }],
      ]),
    });
    expect(plan.items.map((i) => i.liviaId)).toEqual(['r2', 'r3']);
  });

  it('I.5 sends a record only when its resident and its activity are synchronised', () => {
    const records = [
      { id: 'd1', residentId: 'r1', activityId: 'a1' },
      { id: 'd2', residentId: 'r2', activityId: 'a1' },
      { id: 'd3', residentId: 'r1', activityId: 'a2' },
    ];
    const plan = planFlow('I.5', {
      records,
      sync: new Map([
        [syncKey('resident', 'r1'), synced('C1')],
        [syncKey('activity', 'a1'), synced('S1')],
      ]),
    });
    expect(plan.items).toMatchObject([{ liviaId: 'd1', clientId: 'C1', serviceId: 'S1' }]);
    expect(plan.skipped.map((s) => [s.liviaId, s.reason])).toEqual([
      ['d2', 'resident not synchronised'],
      ['d3', 'activity not synchronised'],
    ]);
  });

  it('I.3 proposes only activities of synchronised establishments and sends the saved choice', () => {
    const activities = [
      LiviaActivity.parse({ id: 'a1', establishmentId: 'e1', name: 'EHPAD' }),
      LiviaActivity.parse({ id: 'a2', establishmentId: 'e2', name: 'SSIAD' }),
      LiviaActivity.parse({ id: 'a3', establishmentId: 'e1', name: 'Accueil de jour' }),
    ];
    const sync = new Map([[syncKey('establishment', 'e1'), synced('LE1')]]);
    expect(proposableActivities(activities, sync).map((p) => p.activity.id)).toEqual(['a1', 'a3']);
    const plan = planFlow('I.3', {
      activities,
      sync,
      mappings: new Map([['a1', { choice: 'existing', arcadServiceId: 'S9' }]]),
    });
    expect(plan.items).toMatchObject([
      { liviaId: 'a1', legalEntityId: 'LE1', choice: { choice: 'existing', arcadServiceId: 'S9' } },
    ]);
    expect(plan.skipped.map((s) => [s.liviaId, s.reason])).toEqual([
      ['a2', 'establishment not synchronised: activity not proposed'],
      ['a3', 'no mapping choice saved'],
    ]);
  });

  it('I.7 creates a shared intervenant once, and links it per resident once it exists', () => {
    const intervenant = LiviaIntervenant.parse({
      id: 'i1',
      lastName: 'Robbie',
      profession: 'Kiné',
      residentIds: ['r1', 'r2'],
    });
    const sync = new Map([
      [syncKey('resident', 'r1'), synced('C1')],
      [syncKey('resident', 'r2'), synced('C2')],
    ]);
    const first = planFlow('I.7', { intervenants: [intervenant], sync });
    expect(first.items.map((i) => i.entity)).toEqual(['intervenant']);
    sync.set(syncKey('intervenant', 'i1'), synced('P1'));
    const second = planFlow('I.7', { intervenants: [intervenant], sync });
    expect(second.items).toMatchObject([
      { entity: 'intervenant_link', partnerId: 'P1', clientId: 'C1' },
      { entity: 'intervenant_link', partnerId: 'P1', clientId: 'C2' },
    ]);
  });

  it('I.7 links a resident an intervenant names twice once', () => {
    const intervenant = {
      id: 'i1',
      lastName: 'R',
      firstName: '',
      profession: 'Kiné',
      residentIds: ['r1', 'r1'],
    };
    expect(LiviaIntervenant.parse(intervenant).residentIds).toEqual(['r1']);
    const sync = new Map([
      [syncKey('resident', 'r1'), synced('C1')],
      [syncKey('intervenant', 'i1'), synced('P1')],
    ]);
    // Stored before the schema deduplicated: the plan still holds one link.
    const plan = planFlow('I.7', { intervenants: [intervenant], sync });
    expect(plan.items.map((i) => i.liviaId)).toEqual(['i1>r1']);
  });

  it('a retry of an intervenant also covers its links, which waited for it without a sync row', () => {
    const selection = new Set([syncKey('intervenant', 'i1'), syncKey('resident', 'r9')]);
    expect(inRetrySelection(selection, 'intervenant', 'i1')).toBe(true);
    expect(inRetrySelection(selection, 'intervenant_link', 'i1>r1')).toBe(true);
    expect(inRetrySelection(selection, 'intervenant_link', 'i2>r1')).toBe(false);
    expect(inRetrySelection(selection, 'intervenant', 'i2')).toBe(false);
    expect(inRetrySelection(selection, 'resident', 'r9')).toBe(true);
  });

  it('I.6 holds back contacts of unsynchronised residents', () => {
    const plan = planFlow('I.6', {
      familyContacts: [
        { id: 'f1', residentId: 'r1', lastName: 'A', firstName: '', relationship: 'fille' },
        { id: 'f2', residentId: 'r2', lastName: 'B', firstName: '', relationship: 'fils' },
      ],
      sync: new Map([[syncKey('resident', 'r1'), synced('C1')]]),
    });
    expect(plan.items).toMatchObject([{ liviaId: 'f1', clientId: 'C1' }]);
    expect(plan.skipped).toMatchObject([{ liviaId: 'f2', reason: 'resident not synchronised' }]);
  });
});
