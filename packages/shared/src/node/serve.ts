import { type ServerType, serve } from '@hono/node-server';
import type { Logger } from '../log.ts';

export interface RunningServer {
  port: number;
  server: ServerType;
  close(): Promise<void>;
}

/** Serves a fetch handler on a port; resolves once it is listening. */
export function listen(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  port: number,
  hostname = '0.0.0.0',
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve({
        port: info.port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive connections would hold the close for their idle timeout.
            if ('closeIdleConnections' in server)
              (server as { closeIdleConnections(): void }).closeIdleConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}

/**
 * Stops cleanly on SIGTERM/SIGINT: `shutdown` runs once (stop taking requests, finish the
 * messages in hand, close connections); a second signal or the grace period forces the exit.
 */
export function onShutdownSignal(logger: Logger, graceMs: number, shutdown: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, graceMs }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than the grace period, exiting');
      process.exit(1);
    }, graceMs);
    force.unref();
    shutdown().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}
