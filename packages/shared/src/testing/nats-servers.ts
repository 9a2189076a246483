import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NATS_SERVER_PATH = '/usr/sbin/nats-server';

/**
 * Throwaway nats-server processes in one temporary directory, for setups the shared server
 * lacks (authentication, clustering). `stop` waits for every process to exit before removing
 * the directory: a server still flushing its JetStream store would otherwise race the removal.
 */
export function natsServerSandbox(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const children: ChildProcess[] = [];
  return {
    dir,
    /** Starts a server on this configuration text (`{dir}` in it stands for the sandbox). */
    start(config: string): void {
      const file = join(dir, `server-${children.length}.conf`);
      writeFileSync(file, config.replaceAll('{dir}', dir));
      children.push(spawn(NATS_SERVER_PATH, ['-c', file], { stdio: 'ignore' }));
    },
    async stop(): Promise<void> {
      await Promise.all(children.map(stopProcess));
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const escalation = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(escalation);
}
