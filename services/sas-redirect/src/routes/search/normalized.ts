import type { SearchContext } from '../../domain/context.ts';
import { practitionerUrn } from '../../domain/rpps.ts';
import { specialtyParam } from '../../domain/specialty.ts';

/** A checked context in the SAS parameter names, as the SAS will read it. */
export function normalizedView(context: SearchContext) {
  const specialty = specialtyParam(context.specialty);
  return {
    origin: context.origin,
    ...context.address,
    ...(specialty ? { specialty } : {}),
    ...(context.specialty.kind === 'code' ? { specialtyLabel: context.specialty.label } : {}),
    ...(context.practitioner ? { practitioner: practitionerUrn(context.practitioner.rpps) } : {}),
  };
}
