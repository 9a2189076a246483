import type { FlowId } from './flows.ts';
import type {
  EntityKind,
  LiviaActivity,
  LiviaEstablishment,
  LiviaFamilyContact,
  LiviaIntervenant,
  LiviaRecord,
  LiviaResident,
  LiviaUser,
} from './liviaEntities.ts';
import { intervenantLinkId, intervenantOfLink, isDeceased } from './payloads.ts';

export type SyncStatus = 'pending' | 'sending' | 'synced' | 'error';

export interface SyncState {
  status: SyncStatus;
  arcadId: string | null;
  attempts: number;
}

/** The admin's choice for one activity on the mapping screen (I.3). */
export type ActivityChoice = { choice: 'create' } | { choice: 'existing'; arcadServiceId: string };

export const syncKey = (entity: EntityKind, liviaId: string) => `${entity}|${liviaId}`;

export interface PlanInput {
  users?: LiviaUser[];
  establishments?: LiviaEstablishment[];
  activities?: LiviaActivity[];
  residents?: LiviaResident[];
  records?: LiviaRecord[];
  familyContacts?: LiviaFamilyContact[];
  intervenants?: LiviaIntervenant[];
  sync: ReadonlyMap<string, SyncState>;
  mappings?: ReadonlyMap<string, ActivityChoice>;
}

export type WorkItem =
  | { entity: 'user'; liviaId: string; user: LiviaUser }
  | { entity: 'establishment'; liviaId: string; establishment: LiviaEstablishment }
  | {
      entity: 'activity';
      liviaId: string;
      activity: LiviaActivity;
      legalEntityId: string;
      choice: ActivityChoice;
    }
  | { entity: 'resident'; liviaId: string; resident: LiviaResident }
  | { entity: 'record'; liviaId: string; record: LiviaRecord; clientId: string; serviceId: string }
  | { entity: 'family_contact'; liviaId: string; contact: LiviaFamilyContact; clientId: string }
  | { entity: 'intervenant'; liviaId: string; intervenant: LiviaIntervenant }
  | {
      entity: 'intervenant_link';
      liviaId: string;
      intervenant: LiviaIntervenant;
      residentId: string;
      partnerId: string;
      clientId: string;
    };

export interface Skipped {
  entity: EntityKind;
  liviaId: string;
  reason: string;
}

export interface Plan {
  items: WorkItem[];
  skipped: Skipped[];
}

/**
 * What a run of `flow` sends, given LIVIA's data and the synchronisation table: only what is not
 * synchronised yet (so a re-run resumes), and only what ARCAD can accept now (its parents are
 * synchronised). Everything held back is listed with its reason for the end-of-flow report.
 */
export function planFlow(flow: FlowId, input: PlanInput): Plan {
  const synced = (entity: EntityKind, id: string) => {
    const s = input.sync.get(syncKey(entity, id));
    return s?.status === 'synced' && s.arcadId ? s.arcadId : null;
  };
  const items: WorkItem[] = [];
  const skipped: Skipped[] = [];
  switch (flow) {
    case 'I.1':
      for (const user of input.users ?? [])
        if (!synced('user', user.id)) items.push({ entity: 'user', liviaId: user.id, user });
      break;
    case 'I.2':
      for (const establishment of input.establishments ?? [])
        if (!synced('establishment', establishment.id))
          items.push({ entity: 'establishment', liviaId: establishment.id, establishment });
      break;
    case 'I.3':
      for (const activity of input.activities ?? []) {
        if (synced('activity', activity.id)) continue;
        const legalEntityId = synced('establishment', activity.establishmentId);
        const choice = input.mappings?.get(activity.id);
        if (!legalEntityId)
          skipped.push({
            entity: 'activity',
            liviaId: activity.id,
            reason: 'establishment not synchronised: activity not proposed',
          });
        else if (!choice)
          skipped.push({ entity: 'activity', liviaId: activity.id, reason: 'no mapping choice saved' });
        else items.push({ entity: 'activity', liviaId: activity.id, activity, legalEntityId, choice });
      }
      break;
    case 'I.4':
      for (const resident of input.residents ?? []) {
        if (synced('resident', resident.id)) continue;
        if (isDeceased(resident))
          skipped.push({ entity: 'resident', liviaId: resident.id, reason: 'deceased: never sent' });
        else items.push({ entity: 'resident', liviaId: resident.id, resident });
      }
      break;
    case 'I.5':
      for (const record of input.records ?? []) {
        if (synced('record', record.id)) continue;
        const clientId = synced('resident', record.residentId);
        const serviceId = synced('activity', record.activityId);
        if (!clientId || !serviceId) {
          const missing = [!clientId && 'resident', !serviceId && 'activity'].filter(Boolean).join(' and ');
          skipped.push({ entity: 'record', liviaId: record.id, reason: `${missing} not synchronised` });
        } else items.push({ entity: 'record', liviaId: record.id, record, clientId, serviceId });
      }
      break;
    case 'I.6':
      for (const contact of input.familyContacts ?? []) {
        if (synced('family_contact', contact.id)) continue;
        const clientId = synced('resident', contact.residentId);
        if (!clientId)
          skipped.push({
            entity: 'family_contact',
            liviaId: contact.id,
            reason: 'resident not synchronised',
          });
        else items.push({ entity: 'family_contact', liviaId: contact.id, contact, clientId });
      }
      break;
    case 'I.7':
      for (const intervenant of input.intervenants ?? []) {
        const partnerId = synced('intervenant', intervenant.id);
        if (!partnerId) items.push({ entity: 'intervenant', liviaId: intervenant.id, intervenant });
        // Deduplicated again: data stored before the schema deduplicated may still repeat one.
        for (const residentId of new Set(intervenant.residentIds)) {
          const liviaId = intervenantLinkId(intervenant.id, residentId);
          if (synced('intervenant_link', liviaId)) continue;
          const clientId = synced('resident', residentId);
          // Links wait for their partner: the engine plans again once the partners are created.
          if (!clientId)
            skipped.push({ entity: 'intervenant_link', liviaId, reason: 'resident not synchronised' });
          else if (!partnerId)
            skipped.push({ entity: 'intervenant_link', liviaId, reason: 'intervenant not synchronised' });
          else
            items.push({ entity: 'intervenant_link', liviaId, intervenant, residentId, partnerId, clientId });
        }
      }
      break;
  }
  return { items, skipped };
}

/** Activities the mapping screen proposes: only those of synchronised establishments (I.3). */
export function proposableActivities(
  activities: LiviaActivity[],
  sync: ReadonlyMap<string, SyncState>,
): { activity: LiviaActivity; legalEntityId: string; synced: boolean }[] {
  return activities.flatMap((activity) => {
    const est = sync.get(syncKey('establishment', activity.establishmentId));
    if (est?.status !== 'synced' || !est.arcadId) return [];
    return [
      {
        activity,
        legalEntityId: est.arcadId,
        synced: sync.get(syncKey('activity', activity.id))?.status === 'synced',
      },
    ];
  });
}

/**
 * Whether a retry restricted to `selection` (sync keys) covers this entity. Retrying an
 * intervenant also sends its links: they were held back waiting for it and have no sync row of
 * their own, so nothing else would ever bring them back.
 */
export function inRetrySelection(
  selection: ReadonlySet<string>,
  entity: EntityKind,
  liviaId: string,
): boolean {
  if (selection.has(syncKey(entity, liviaId))) return true;
  return entity === 'intervenant_link' && selection.has(syncKey('intervenant', intervenantOfLink(liviaId)));
}
