import type { LiviaTenantData } from './livia.ts';

/** The batch order LIVIA pushes in, with the entity lists of a generated tenant. */
export const pushOrder = (data: LiviaTenantData) =>
  [
    ['users', data.users],
    ['establishments', data.establishments],
    ['activities', data.activities],
    ['residents', data.residents],
    ['records', data.records],
    ['family-contacts', data.familyContacts],
    ['intervenants', data.intervenants],
  ] as const;

/** Pushes a LIVIA tenant to arcad-sync's batch endpoints, as LIVIA does for an initial load. */
export async function pushLiviaTenant(
  send: (path: string, init: RequestInit) => Promise<Response>,
  tenant: string,
  token: string,
  data: LiviaTenantData,
  batchSize = 5000,
): Promise<void> {
  for (const [collection, items] of pushOrder(data)) {
    for (let i = 0; i < items.length; i += batchSize) {
      const res = await send(`/tenants/${tenant}/livia/${collection}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ items: items.slice(i, i + batchSize) }),
      });
      if (!res.ok) throw new Error(`push of ${collection} refused: HTTP ${res.status} ${await res.text()}`);
    }
  }
}
