import { AppError, type ServiceApp } from '@hip/shared';
import { type HubBridge, OutboundRefusedError } from '../../bridge/bridge.ts';
import type { MessageRow } from '../../db/schema.ts';
import type { TraceStore } from '../../db/trace-store.ts';
import { getMessage, listMessages, retryMessage, sendMessage } from './routes.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A trace row as the API shows it: never the body (patient data stays in the database). */
export function toTrace(row: MessageRow) {
  return {
    distributionId: row.distributionId,
    direction: row.direction,
    type: row.type,
    kind: row.kind,
    peer: row.peer,
    vhost: row.vhost,
    format: row.format,
    state: row.state,
    errorCode: row.errorCode,
    errorCause: row.errorCause,
    ackDistributionId: row.ackDistributionId,
    acknowledgedAt: iso(row.acknowledgedAt),
    confirmedAt: iso(row.confirmedAt),
    reference: row.reference,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function registerMessageRoutes(app: ServiceApp, deps: { bridge: HubBridge; store: TraceStore }) {
  app.openapi(sendMessage, async (c) => {
    try {
      const row = await deps.bridge.send(c.req.valid('json'));
      return c.json(toTrace(row), 202);
    } catch (error) {
      if (error instanceof OutboundRefusedError) {
        throw new AppError('UNPROCESSABLE', error.message, { errors: error.errors });
      }
      throw error;
    }
  });
  app.openapi(listMessages, async (c) => {
    const q = c.req.valid('query');
    const rows = await deps.store.list({
      limit: q.limit,
      ...(q.direction ? { direction: q.direction } : {}),
      ...(q.state ? { state: q.state } : {}),
    });
    return c.json({ items: rows.map(toTrace) }, 200);
  });
  app.openapi(getMessage, async (c) => {
    const row = await deps.store.get(c.req.valid('param').distributionId);
    if (!row) throw new AppError('NOT_FOUND', 'no such message in the trace');
    return c.json({ ...toTrace(row), history: row.history }, 200);
  });
  app.openapi(retryMessage, async (c) => {
    const row = await deps.bridge.retry(c.req.valid('param').distributionId);
    return c.json(toTrace(row), 200);
  });
}
