import { requestJson, z } from '@hip/shared';
import { ArcadClient, ArcadUser } from './messages.ts';

/** The ARCAD360 calls of the live flows, besides the creations of `adapters/arcad.ts`. */
export interface LiveArcadApi {
  client(tenant: string, clientId: string): Promise<ArcadClient>;
  updateClient(tenant: string, clientId: string, input: object): Promise<void>;
  updateUser(tenant: string, userId: string, input: object): Promise<void>;
  updatePartner(tenant: string, partnerId: string, input: object): Promise<void>;
  updatePersonalCircle(tenant: string, linkId: string, input: object): Promise<void>;
  /** Clients whose identity contains `text` (ARCAD's text search), for search before create. */
  searchClients(tenant: string, text: string): Promise<ArcadClient[]>;
  searchUsers(tenant: string, text: string): Promise<ArcadUser[]>;
  user(tenant: string, userId: string): Promise<ArcadUser | null>;
}

const Items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export function createLiveArcadApi(options: {
  baseUrl: string;
  apiToken: string;
  timeoutMs: number;
}): LiveArcadApi {
  const seg = encodeURIComponent;
  const url = (tenant: string, path: string) => `${options.baseUrl}/api/v1/tenants/${seg(tenant)}/${path}`;
  const common = { headers: { authorization: `Bearer ${options.apiToken}` }, timeoutMs: options.timeoutMs };
  const put = async (tenant: string, path: string, json: object) => {
    await requestJson('ARCAD360', url(tenant, path), { ...common, method: 'PUT', json });
  };
  return {
    client: (t, id) =>
      requestJson('ARCAD360', url(t, `clients/${seg(id)}`), { ...common, schema: ArcadClient }),
    updateClient: (t, id, input) => put(t, `clients/${seg(id)}`, input),
    updateUser: (t, id, input) => put(t, `users/${seg(id)}`, input),
    updatePartner: (t, id, input) => put(t, `partners/${seg(id)}`, input),
    updatePersonalCircle: (t, id, input) => put(t, `personal-circle/${seg(id)}`, input),
    async searchClients(t, text) {
      const found = await requestJson('ARCAD360', url(t, `clients?q=${seg(text)}`), {
        ...common,
        schema: Items(ArcadClient),
      });
      return found.items;
    },
    async searchUsers(t, text) {
      const found = await requestJson('ARCAD360', url(t, `users?q=${seg(text)}`), {
        ...common,
        schema: Items(ArcadUser),
      });
      return found.items;
    },
    async user(t, id) {
      const found = await requestJson('ARCAD360', url(t, 'users'), { ...common, schema: Items(ArcadUser) });
      return found.items.find((u) => u.id === id) ?? null;
    },
  };
}
