import { describe, expect, it } from 'vitest';
import { LiviaIntervenant, LiviaResident, LiviaUser } from '../src/domain/liviaEntities.ts';
import { generateLiviaTenant } from './livia.ts';

describe('LIVIA tenant generator', () => {
  const data = generateLiviaTenant({
    users: 300,
    establishments: 5,
    activities: 20,
    residents: 1000,
    records: 800,
    contacts: 1500,
  });

  it('produces entities LIVIA would push, valid against the batch schemas', () => {
    for (const u of data.users) LiviaUser.parse(u);
    for (const r of data.residents) LiviaResident.parse(r);
    for (const i of data.intervenants) LiviaIntervenant.parse(i);
  });

  it('has deceased residents, empty postcodes and cities, and intervenants shared by several residents', () => {
    expect(data.residents.filter((r) => r.deceased).length).toBeGreaterThan(30);
    expect(data.residents.filter((r) => r.postcode === '').length).toBeGreaterThan(30);
    expect(data.users.filter((u) => u.city === '').length).toBeGreaterThan(3);
    expect(data.intervenants.filter((i) => i.residentIds.length > 1).length).toBeGreaterThan(20);
  });

  it('is deterministic for a seed', () => {
    const again = generateLiviaTenant({
      users: 300,
      establishments: 5,
      activities: 20,
      residents: 1000,
      records: 800,
      contacts: 1500,
    });
    expect(again).toEqual(data);
  });
});
