import type { Bus, BusMessage, Logger } from '@hip/shared';
import { startServiceForTest } from '@hip/shared/testing';
import { makeVisits } from '../sim/catalogue.ts';
import { type RunningVetelevageSimulator, startVetelevageSimulator } from '../sim/server.ts';
import type { Visit } from '../src/adapters/vetelevage/contract.ts';
import { defineVetGateway, type VetGatewaySeams } from '../src/service.ts';

export const randomKey = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
export const uniqueId = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

/** A Vétélevage simulator over HTTP and a vet-gateway pointed at it, on a fresh database and bus. */
export async function startGateway(
  options: {
    seams?: VetGatewaySeams;
    env?: Record<string, string>;
    sim?: RunningVetelevageSimulator;
    batchSize?: number;
    database?: Parameters<typeof startServiceForTest>[1] extends infer O
      ? O extends { database?: infer D }
        ? D
        : never
      : never;
    bus?: Bus;
    logger?: Logger;
  } = {},
) {
  const sim = options.sim ?? (await startVetelevageSimulator({ batchSize: options.batchSize ?? 500 }));
  const env = {
    VETELEVAGE_URL: sim.url,
    VETELEVAGE_TIMEOUT_MS: '1500',
    VET_SECRETS_KEY: randomKey(),
    VET_IMPORT_INTERVAL_MS: '0',
    VET_OUTBOX_RELAY: 'false',
    ...options.env,
  };
  const svc = await startServiceForTest(defineVetGateway(options.seams), {
    env,
    ...(options.database ? { database: options.database } : {}),
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const json = async (method: string, path: string, body?: unknown) => {
    const res = await svc.request(path, {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    svc,
    sim,
    env,
    json,
    /** A veterinarian-mode account on both sides, with `visits` waiting in Vétélevage. */
    async vetAccount(visitCount = 0, extra: { editor?: string } = {}) {
      const id = uniqueId('acc');
      sim.sim.addAccount(id, {
        login: `${id}-login`,
        password: `${id}-pw`,
        ...(extra.editor ? { editor: extra.editor } : {}),
      });
      const res = await json('PUT', `/accounts/${id}`, {
        mode: 'veterinaire',
        login: `${id}-login`,
        password: `${id}-pw`,
        ...extra,
      });
      if (res.status !== 200) throw new Error(`account registration failed: ${JSON.stringify(res.body)}`);
      const visits = makeVisits(id, visitCount, { seed: id });
      sim.sim.addVisits(id, visits);
      return { id, visits };
    },
    importNow: (account: string) => json('POST', `/accounts/${account}/import`),
    async stop() {
      await svc.stop();
      if (!options.sim) await sim.close();
    },
  };
}
export type Gateway = Awaited<ReturnType<typeof startGateway>>;

/** Every message on `subject` (wildcards allowed), as parsed JSON, from a durable of its own. */
export async function collect<T>(bus: Bus, subject: string) {
  const seen: { msg: BusMessage; data: T }[] = [];
  const sub = await bus.subscribe({
    subject,
    durable: uniqueId('collect'),
    handler: async (msg) => {
      seen.push({ msg, data: msg.json<T>() });
    },
  });
  return { seen, stop: () => sub.stop() };
}

export const visitIdsOf = (visits: Visit[]) => visits.map((v) => v.id).sort();
