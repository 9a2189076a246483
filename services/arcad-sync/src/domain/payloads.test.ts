import { describe, expect, it } from 'vitest';
import { LiviaResident, LiviaUser } from './liviaEntities.ts';
import {
  arcadClientOf,
  arcadUserOf,
  BUSINESS_USER_PROFILE,
  isDeceased,
  temporaryPassword,
} from './payloads.ts';

const user = LiviaUser.parse({
  id: 'u1',
  login: 'jdupont',
  lastName: 'Dupont',
  firstName: 'Jeanne',
  email: 'jeanne@example.org',
  postcode: '',
  city: '  ',
});

describe('I.1 professional identities', () => {
  it('replaces an empty postcode with 99999 and an empty city with LIVIA', () => {
    const out = arcadUserOf(user, 'x');
    expect(out.postcode).toBe('99999');
    expect(out.city).toBe('LIVIA');
  });

  it('keeps a postcode and city that are filled', () => {
    const out = arcadUserOf({ ...user, postcode: '25000', city: 'Besançon' }, 'x');
    expect(out).toMatchObject({ postcode: '25000', city: 'Besançon' });
  });

  it('gives every user the business-user profile', () => {
    expect(arcadUserOf(user, 'x').profile).toBe(BUSINESS_USER_PROFILE);
  });

  it('leaves the e-mail empty at initialisation so the temporary password is accepted', () => {
    const out = arcadUserOf(user, 'Secret-123');
    expect(out.email).toBe('');
    expect(out.temporaryPassword).toBe('Secret-123');
  });

  it('generates passwords with upper, lower, digit and symbol, different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = temporaryPassword();
      expect(p).toHaveLength(14);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/\d/);
      expect(p).toMatch(/[!#$%*+\-?@]/);
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });
});

describe('I.4 resident identities', () => {
  const resident = LiviaResident.parse({
    id: 'r1',
    lastName: 'Martin',
    firstName: 'Paul',
    birthDate: '1931-02-03',
    sex: 'M',
  });

  it('creates clients inactive', () => {
    expect(arcadClientOf(resident).active).toBe(false);
  });

  it('treats a resident with a death date or the deceased flag as deceased', () => {
    expect(isDeceased(resident)).toBe(false);
    expect(isDeceased({ ...resident, deceased: true })).toBe(true);
    expect(isDeceased({ ...resident, deathDate: '2024-01-01' })).toBe(true);
  });
});
