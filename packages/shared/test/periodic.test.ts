import { describe, expect, it } from 'vitest';
import { runPeriodically } from '../src/periodic.ts';
import { waitFor } from '../src/testing/wait.ts';

describe('runPeriodically', () => {
  it('never starts a run while the previous one is still going, and stop waits for it', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    let release: () => void = () => {};
    const stop = runPeriodically({
      everyMs: 5,
      job: async () => {
        running++;
        runs++;
        most = Math.max(most, running);
        await new Promise<void>((r) => {
          release = r;
        });
        running--;
      },
      onError: (error) => {
        throw error;
      },
    });
    await waitFor(() => runs === 1, { what: 'the first run' });
    // Many ticks go by while the first run waits.
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(running).toBe(0);
    expect(most).toBe(1);
  });

  it('hands a failed run to onError and runs again at the next tick', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const stop = runPeriodically({
      everyMs: 5,
      job: async () => {
        runs++;
        if (runs === 1) throw new Error('database down');
      },
      onError: (error) => errors.push(error),
    });
    await waitFor(() => runs >= 2, { what: 'a second run' });
    await stop();
    expect(errors).toEqual([new Error('database down')]);
  });
});
