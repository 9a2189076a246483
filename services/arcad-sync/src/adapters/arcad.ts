import { requestJson, UpstreamError, z } from '@hip/shared';
import type {
  ArcadClientInput,
  ArcadLegalEntityInput,
  ArcadPartnerInput,
  ArcadPersonalCircleInput,
  ArcadProfessionalCircleInput,
  ArcadRecordInput,
  ArcadServiceInput,
  ArcadUserInput,
} from '../domain/payloads.ts';

/** ARCAD360 collections that hold our entities, looked up by the LIVIA id we send as `externalId`. */
export type ArcadCollection =
  | 'users'
  | 'legal-entities'
  | 'services'
  | 'clients'
  | 'records'
  | 'personal-circle'
  | 'partners'
  | 'professional-circle';

export interface ArcadService {
  id: string;
  name: string;
  legalEntityId: string;
}

/** The ARCAD360 REST API as this service uses it (contract assumed in the README). */
export interface ArcadApi {
  createUser(tenant: string, input: ArcadUserInput): Promise<string>;
  createLegalEntity(tenant: string, input: ArcadLegalEntityInput): Promise<string>;
  createService(tenant: string, input: ArcadServiceInput): Promise<string>;
  createClient(tenant: string, input: ArcadClientInput): Promise<string>;
  createRecord(tenant: string, input: ArcadRecordInput): Promise<string>;
  /** The family contact AND its link to the client, in one request. */
  createPersonalCircle(tenant: string, clientId: string, input: ArcadPersonalCircleInput): Promise<string>;
  createPartner(tenant: string, input: ArcadPartnerInput): Promise<string>;
  /** The link of an existing partner to a client. */
  createProfessionalCircle(
    tenant: string,
    clientId: string,
    input: ArcadProfessionalCircleInput,
  ): Promise<string>;
  /** The ARCAD id of what we created earlier under this external id, if any. */
  findByExternalId(tenant: string, collection: ArcadCollection, externalId: string): Promise<string | null>;
  servicesOf(tenant: string, legalEntityId: string): Promise<ArcadService[]>;
  /** Whether ARCAD360 knows this tenant: activation refuses a mistyped tenant name. */
  tenantExists(tenant: string): Promise<boolean>;
  /** Reachable and accepting our token: for readiness. */
  ping(): Promise<void>;
}

const Created = z.object({ id: z.string().min(1) });
const Found = z.object({ items: z.array(z.object({ id: z.string() }).loose()) });
const Services = z.object({
  items: z.array(z.object({ id: z.string(), name: z.string(), legalEntityId: z.string() })),
});

export function createArcadApi(options: {
  baseUrl: string;
  apiToken: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}): ArcadApi {
  const url = (tenant: string, path: string) =>
    `${options.baseUrl}/api/v1/tenants/${encodeURIComponent(tenant)}/${path}`;
  const common = {
    headers: { authorization: `Bearer ${options.apiToken}` },
    timeoutMs: options.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const post = async (tenant: string, path: string, json: unknown) =>
    (await requestJson('ARCAD360', url(tenant, path), { ...common, method: 'POST', json, schema: Created }))
      .id;
  const seg = encodeURIComponent;
  return {
    createUser: (t, input) => post(t, 'users', input),
    createLegalEntity: (t, input) => post(t, 'legal-entities', input),
    createService: (t, input) => post(t, 'services', input),
    createClient: (t, input) => post(t, 'clients', input),
    createRecord: (t, input) => post(t, 'records', input),
    createPersonalCircle: (t, clientId, input) => post(t, `clients/${seg(clientId)}/personal-circle`, input),
    createPartner: (t, input) => post(t, 'partners', input),
    createProfessionalCircle: (t, clientId, input) =>
      post(t, `clients/${seg(clientId)}/professional-circle`, input),
    async findByExternalId(t, collection, externalId) {
      const found = await requestJson('ARCAD360', url(t, `${collection}?externalId=${seg(externalId)}`), {
        ...common,
        schema: Found,
      });
      return found.items[0]?.id ?? null;
    },
    async ping() {
      await requestJson('ARCAD360', `${options.baseUrl}/api/v1/health`, {
        ...common,
        timeoutMs: Math.min(options.timeoutMs, 3000),
      });
    },
    async tenantExists(t) {
      try {
        await requestJson('ARCAD360', `${options.baseUrl}/api/v1/tenants/${seg(t)}`, common);
        return true;
      } catch (error) {
        if (error instanceof UpstreamError && error.details.status === 404) return false;
        throw error;
      }
    },
    async servicesOf(t, legalEntityId) {
      const found = await requestJson('ARCAD360', url(t, `legal-entities/${seg(legalEntityId)}/services`), {
        ...common,
        schema: Services,
      });
      return found.items;
    },
  };
}

const Rejection = z.object({
  errors: z.array(z.object({ field: z.string(), message: z.string() })).min(1),
});

/**
 * The reason an admin reads in the error manager, and whether retrying as is may succeed.
 * ARCAD's field rejections are spelled out; transport failures say what happened.
 */
export function describeArcadFailure(error: unknown): { reason: string; retryable: boolean } {
  if (!(error instanceof UpstreamError))
    return { reason: error instanceof Error ? error.message : String(error), retryable: true };
  if (error.kind === 'status' && error.details.body) {
    try {
      const parsed = Rejection.safeParse(JSON.parse(error.details.body));
      if (parsed.success)
        return {
          reason: `ARCAD360 rejected ${parsed.data.errors.map((e) => `field ${e.field}: ${e.message}`).join('; ')}`,
          retryable: false,
        };
      const message = (JSON.parse(error.details.body) as { message?: unknown }).message;
      if (typeof message === 'string')
        return {
          reason: `ARCAD360 answered HTTP ${error.details.status}: ${message}`,
          retryable: error.retryable,
        };
    } catch {
      // Not JSON: fall through to the transport message.
    }
  }
  return { reason: error.message, retryable: error.retryable };
}
