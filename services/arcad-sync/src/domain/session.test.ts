import { describe, expect, it } from 'vitest';
import { type ArcadSession, flowRefusal } from './session.ts';

const expert: ArcadSession = {
  sub: 'u',
  name: 'Expert',
  roles: ['expert'],
  arcadTenant: 'livia25',
  exp: 2000,
};

describe('privileged ARCAD360 session', () => {
  it('accepts an expert account of the activated tenant', () => {
    expect(flowRefusal(expert, 'livia25', 1000)).toBeNull();
  });
  it('refuses without a session', () => {
    expect(flowRefusal(null, 'livia25', 1000)).toMatch(/log in/);
  });
  it('refuses a non-privileged account', () => {
    expect(flowRefusal({ ...expert, roles: ['user'] }, 'livia25', 1000)).toMatch(
      /not privileged \(expert\): initialisation refused/,
    );
    expect(flowRefusal({ ...expert, roles: ['user'] }, 'livia25', 1000, 'activation')).toMatch(
      /activation refused/,
    );
  });
  it('refuses an account of another ARCAD tenant', () => {
    expect(flowRefusal(expert, 'other', 1000)).toMatch(/tenant "livia25", not "other"/);
  });
  it('refuses an expired session', () => {
    expect(flowRefusal(expert, 'livia25', 2000)).toMatch(/expired/);
  });
});
