import type { LiviaResident } from '../src/domain/liviaEntities.ts';
import type { Fault } from './arcad.ts';

/**
 * The demo's fault scenario: LIVIA admits a few new residents, and ARCAD360 fails some of them on
 * the next I.4 run: a 500 (retryable) for two, an answer lost after the client was created (504)
 * for one. The error manager then has something to show, and its retry resolves all three: the
 * faults hit once, and the lost answer is adopted by its lookup, never created twice.
 */
export function failingAdmissions(round: number): { residents: LiviaResident[]; faults: Fault[] } {
  const residents = ['Moreau', 'Lefebvre', 'Garnier', 'Chevalier', 'Perrin'].map(
    (lastName, i): LiviaResident => ({
      id: `R-ADM${round}-${i + 1}`,
      lastName,
      firstName: ['Jeanne', 'Marcel', 'Odette', 'René', 'Simone'][i] as string,
      birthDate: `19${30 + i}-0${i + 1}-1${i}`,
      sex: i % 2 === 0 ? 'F' : 'M',
      postcode: '69003',
      city: 'Lyon',
      deceased: false,
    }),
  );
  const [first, second, third] = residents as [LiviaResident, LiviaResident, LiviaResident];
  return {
    residents,
    faults: [
      { collection: 'clients', externalId: first.id, mode: 'error5xx', times: 1 },
      { collection: 'clients', externalId: second.id, mode: 'error5xx', times: 1 },
      { collection: 'clients', externalId: third.id, mode: 'lose-response', times: 1 },
    ],
  };
}
