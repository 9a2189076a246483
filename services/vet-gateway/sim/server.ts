import { listen } from '@hip/shared/node';
import { createVetelevageSimulator } from './vetelevage.ts';

/** The simulator over real HTTP on `port` (0: any free port). */
export async function startVetelevageSimulator(options: { port?: number; batchSize?: number } = {}) {
  const sim = createVetelevageSimulator({ batchSize: options.batchSize });
  const server = await listen(sim.app, options.port ?? 0, '127.0.0.1');
  return { sim, url: `http://127.0.0.1:${server.port}`, port: server.port, close: () => server.close() };
}
export type RunningVetelevageSimulator = Awaited<ReturnType<typeof startVetelevageSimulator>>;
