import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from '@hip/shared/testing';

/** Starts a command and collects its output, for tests that run the real entry points. */
export function startProcess(command: string, args: string[], env: Record<string, string>, cwd: string) {
  const child: ChildProcess = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return {
    child,
    output: () => output,
    /** Resolves once the process has exited, so its files can be removed safely. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const escalation = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(escalation);
    },
  };
}

/** Resolves when `url` answers 200, or fails with the process output. */
export async function waitForHttp(url: string, output: () => string, timeoutMs = 60_000): Promise<Response> {
  return waitFor(
    async () => {
      const res = await fetch(url).catch(() => undefined);
      return res?.ok ? res : undefined;
    },
    { timeoutMs, intervalMs: 200, what: `${url}\n${output().slice(-2000)}` },
  );
}

/**
 * Opens a service's admin page as a browser would: follows its redirects within the service and
 * returns the page it lands on (or the redirect leaving the service, e.g. to a login provider).
 */
export async function openAdminPage(base: string): Promise<{ url: string; status: number; html: string }> {
  let url = `${base}/`;
  for (let hops = 0; hops < 5; hops++) {
    const res = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      if (next.origin !== new URL(base).origin) return { url, status: res.status, html: '' };
      url = next.href;
      continue;
    }
    return { url, status: res.status, html: await res.text() };
  }
  throw new Error(`${base}/ redirects more than 5 times`);
}
