/**
 * What a message from ARCAD360 does to LIVIA, decided from what we know of LIVIA. Pure: the
 * receiver loads the facts, asks here, then writes. ARCAD360 always wins for stays.
 */

export interface LiviaStay {
  liviaId: string;
  arcadStayId: string | null;
  startDate: string;
  plannedEndDate: string | null;
  /** Set when the stay is closed (discharged). */
  endDate: string | null;
}

/** Absence types the interface processes; ARCAD's other types stay in ARCAD. */
export const PROCESSED_ABSENCE_TYPES = ['AUTRE', 'HOSPI'];

export type Ignored = { action: 'ignore'; reason: string };

const notActivity = (serviceId: string): Ignored => ({
  action: 'ignore',
  reason: `ARCAD service ${serviceId} is not a synchronised LIVIA activity`,
});

/** ISO dates compare as text. */
const covers = (stay: LiviaStay, date: string) =>
  stay.startDate <= date && (stay.endDate === null || stay.endDate >= date);

export type StayDecision =
  | Ignored
  | { action: 'create-resident-and-stay' }
  | { action: 'create-stay' }
  | { action: 'update-stay'; liviaId: string; reopen: boolean };

/**
 * A stay created (or changed) in ARCAD, for a resident and the LIVIA stays of that resident on
 * the activity. The seed's four cases: unknown resident -> resident and stay; no stay on the
 * activity -> stay; a stay covering the ARCAD stay's start -> updated, its closure removed first
 * when it was closed. A stay already linked to the ARCAD stay is that stay, whatever its dates.
 */
export function decideStay(facts: {
  serviceId: string;
  activityId: string | null;
  residentId: string | null;
  stays: LiviaStay[];
  arcadStay: { stayId: string; startDate: string };
}): StayDecision {
  if (!facts.activityId) return notActivity(facts.serviceId);
  if (!facts.residentId) return { action: 'create-resident-and-stay' };
  const match =
    facts.stays.find((s) => s.arcadStayId === facts.arcadStay.stayId) ??
    facts.stays.find((s) => s.arcadStayId === null && covers(s, facts.arcadStay.startDate));
  if (!match) return { action: 'create-stay' };
  return { action: 'update-stay', liviaId: match.liviaId, reopen: match.endDate !== null };
}

export type EndDecision =
  | Ignored
  | { action: 'plan-end'; liviaId: string; endDate: string }
  | { action: 'close'; liviaId: string; endDate: string };

/**
 * An end date set in ARCAD (discharge): in the future it is the stay's planned end, otherwise
 * the stay is closed at that date. Only a stay in progress on the activity can be discharged.
 */
export function decideDischarge(facts: {
  serviceId: string;
  activityId: string | null;
  residentId: string | null;
  stays: LiviaStay[];
  discharge: { stayId: string; endDate: string };
  today: string;
}): EndDecision {
  if (!facts.activityId) return notActivity(facts.serviceId);
  if (!facts.residentId) return { action: 'ignore', reason: 'resident unknown to LIVIA' };
  const inProgress = facts.stays.filter((s) => s.endDate === null);
  const stay = inProgress.find((s) => s.arcadStayId === facts.discharge.stayId) ?? inProgress[0];
  if (!stay) return { action: 'ignore', reason: `no stay in progress on activity ${facts.activityId}` };
  return facts.discharge.endDate > facts.today
    ? { action: 'plan-end', liviaId: stay.liviaId, endDate: facts.discharge.endDate }
    : { action: 'close', liviaId: stay.liviaId, endDate: facts.discharge.endDate };
}

export type AbsenceDecision =
  | Ignored
  | { action: 'create' }
  | { action: 'update'; liviaId: string }
  | { action: 'delete'; liviaId: string };

/** Absences of types AUTRE and HOSPI are mirrored; the others are ignored (and counted as such). */
export function decideAbsence(facts: {
  change: 'created' | 'updated' | 'deleted';
  type: string;
  serviceId: string;
  activityId: string | null;
  residentId: string | null;
  existingLiviaId: string | null;
}): AbsenceDecision {
  if (!PROCESSED_ABSENCE_TYPES.includes(facts.type))
    return {
      action: 'ignore',
      reason: `absence type ${facts.type} is not processed (only ${PROCESSED_ABSENCE_TYPES.join(', ')})`,
    };
  if (!facts.activityId) return notActivity(facts.serviceId);
  if (!facts.residentId) return { action: 'ignore', reason: 'resident unknown to LIVIA' };
  if (facts.change === 'deleted')
    return facts.existingLiviaId
      ? { action: 'delete', liviaId: facts.existingLiviaId }
      : { action: 'ignore', reason: 'absence unknown to LIVIA' };
  return facts.existingLiviaId ? { action: 'update', liviaId: facts.existingLiviaId } : { action: 'create' };
}

/** ARCAD edits of a client reach LIVIA only for a synchronised resident. */
export function decideClientUpdate(
  residentId: string | null,
): Ignored | { action: 'update'; residentId: string } {
  return residentId
    ? { action: 'update', residentId }
    : { action: 'ignore', reason: 'resident not synchronised with LIVIA' };
}

/** The end fields of a stay that ARCAD gives an end date (or none). */
export function endFields(endDate: string | null, today: string) {
  if (endDate === null) return { plannedEndDate: null, endDate: null };
  return endDate > today ? { plannedEndDate: endDate, endDate: null } : { plannedEndDate: null, endDate };
}

/** How the receiver orders a client's messages: apply the next one, skip a replay, or wait for a gap. */
export function sequenceStep(lastApplied: number, sequence: number): 'apply' | 'replayed' | 'wait' {
  if (sequence <= lastApplied) return 'replayed';
  return sequence === lastApplied + 1 ? 'apply' : 'wait';
}
