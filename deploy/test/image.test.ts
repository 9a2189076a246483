import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseConfigSchema, loadConfig, port } from '@hip/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { services } from '../src/services.ts';
import { openAdminPage, startProcess, waitForHttp } from './processes.ts';

// Docker cannot run here, so this replays what deploy/Dockerfile does, step by step, with the
// same tools: `turbo prune --docker`, the production install from the pruned lockfile (offline,
// from the local pnpm store), tsx alone in its own folder, then the image's own CMD.

const root = new URL('../../', import.meta.url).pathname;
const dockerfile = readFileSync(join(root, 'deploy/Dockerfile'), 'utf8');

/** The image's CMD, as the exec-form JSON array the Dockerfile declares. */
function imageCommand(): string[] {
  const line = dockerfile.split('\n').find((l) => l.startsWith('CMD '));
  if (!line) throw new Error('deploy/Dockerfile has no CMD');
  return JSON.parse(line.slice(4)) as string[];
}

/** A catalog version from a pnpm-workspace.yaml, as the Dockerfile's `sed` reads it. */
function catalogVersion(workspaceYaml: string, name: string): string {
  const match = workspaceYaml.match(new RegExp(`^ *${name}: *['"]?([^'"\\s]+)`, 'm'));
  if (!match?.[1]) throw new Error(`no ${name} in the catalog`);
  return match[1];
}

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, stdio: 'pipe', env: { ...process.env, CI: 'true' } }).toString();

/**
 * From the local pnpm store when it has everything (it does after the workspace install), from
 * the registry otherwise: a fresh machine may lack the package metadata `pnpm add` resolves with.
 */
function offlineFirst(args: string[], cwd: string) {
  try {
    run('pnpm', [...args, '--offline'], cwd);
  } catch {
    run('pnpm', [...args, '--prefer-offline'], cwd);
  }
}

/** prune -> deps -> loader -> runtime stages, into `dir`; returns the folder the CMD runs in. */
function buildLikeTheImage(service: string, dir: string) {
  const out = join(dir, 'out');
  run(join(root, 'node_modules/.bin/turbo'), ['prune', service, '--docker', '--out-dir', out], root);
  cpSync(join(root, 'tsconfig.base.json'), join(out, 'full/tsconfig.base.json'));

  const app = join(dir, 'app');
  cpSync(join(out, 'json'), app, { recursive: true });
  offlineFirst(['install', '--frozen-lockfile', '--prod'], app);

  const loader = join(dir, 'opt-tsx');
  mkdirSync(loader);
  writeFileSync(join(loader, 'package.json'), '{"private":true}');
  const tsx = catalogVersion(readFileSync(join(out, 'json/pnpm-workspace.yaml'), 'utf8'), 'tsx');
  offlineFirst(['add', `tsx@${tsx}`], loader);

  cpSync(join(out, 'full'), app, { recursive: true });
  return { out, app, loader, cwd: join(app, 'services', service) };
}

/** Every file under `dir` with its size and modification time. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const s = lstatSync(path);
    files.set(path, `${s.size}:${s.mtimeMs}`);
  }
  return files;
}

const diff = (a: Map<string, string>, b: Map<string, string>) =>
  [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));

const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

for (const service of ['doc-converter', 'vet-gateway']) {
  describe(`the ${service} image, built without Docker`, () => {
    const dir = mkdtempSync(join(tmpdir(), `image-${service}-`));
    temp.push(dir);
    let built: ReturnType<typeof buildLikeTheImage>;
    beforeAll(() => {
      built = buildLikeTheImage(service, dir);
    });

    it('prunes the workspace to the service and packages/shared only', () => {
      expect(readdirSync(join(built.out, 'full/services'))).toEqual([service]);
      expect(readdirSync(join(built.out, 'full/packages'))).toEqual(['shared']);
      expect(existsSync(join(built.out, 'full/deploy'))).toBe(false);
    });

    it('installs production dependencies only (no tsx, vitest or typescript in the app)', () => {
      const store = readdirSync(join(built.app, 'node_modules/.pnpm'));
      expect(store.some((p) => p.startsWith('hono@'))).toBe(true);
      for (const dev of ['vitest@', 'typescript@', 'tsx@', 'drizzle-kit@']) {
        expect(store.filter((p) => p.startsWith(dev))).toEqual([]);
      }
    });

    it("starts with the image's CMD, answers /healthz, reports /readyz, renders its admin page, writes nothing outside its volumes, stops on SIGTERM", async () => {
      const before = snapshot(built.app);
      const [command, ...args] = imageCommand().map((a) =>
        a.replace('/opt/tsx', built.loader).replace(/^node$/, process.execPath),
      );
      expect(command).toBe(process.execPath);
      const port = 21000 + Math.floor(Math.random() * 4000);
      const dataDir = join(dir, 'data');
      const tmp = join(dir, 'tmp');
      mkdirSync(dataDir);
      mkdirSync(tmp);
      const proc = startProcess(
        command as string,
        args,
        // The image's environment: no servers configured means the embedded defaults.
        {
          PORT: String(port),
          DATA_DIR: dataDir,
          TMPDIR: tmp,
          NODE_ENV: 'production',
          NATS_URL: '',
          DATABASE_URL: '',
        },
        built.cwd,
      );
      try {
        const health = await waitForHttp(`http://127.0.0.1:${port}/healthz`, proc.output, 60_000);
        expect(await health.json()).toMatchObject({ status: 'ok', service });
        // Ready or not depends on the partners' addresses, which this run does not give: what
        // matters here is that the whole app is wired and reports its checks.
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect([200, 503]).toContain(ready.status);
        expect(await ready.json()).toHaveProperty('checks.database.ok', true);
        const admin = await openAdminPage(`http://127.0.0.1:${port}`);
        expect(admin.status, admin.html.slice(0, 300)).toBe(200);
        expect(admin.html.startsWith('<!doctype html>')).toBe(true);
      } finally {
        await proc.stop();
      }
      expect(proc.child.exitCode).toBe(0);
      // The image's root filesystem is read-only: /tmp and DATA_DIR are the only writable places.
      expect(diff(before, snapshot(built.app))).toEqual([]);
    });
  });
}

describe('deploy/compose.yaml, the Docker way to run the platform', () => {
  const compose = parse(readFileSync(join(root, 'deploy/compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  /** What compose does to `${VAR:-default}` when VAR is not set in the shell or deploy/.env. */
  const interpolate = (value: string) =>
    value.replace(
      /\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g,
      (_, _name: string, fallback?: string) => fallback ?? '',
    );

  it('runs NATS with JetStream, PostgreSQL and RabbitMQ next to the services', () => {
    expect(compose.services.nats?.command).toContain('--jetstream');
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    expect(compose.services.rabbitmq?.image).toMatch(/^rabbitmq:/);
  });

  for (const definition of services) {
    it(`builds ${definition.name} from deploy/Dockerfile and runs it like its pod`, () => {
      const s = compose.services[definition.name];
      expect(s?.build).toEqual({
        context: '..',
        dockerfile: 'deploy/Dockerfile',
        args: { SERVICE: definition.name },
      });
      expect(s?.read_only).toBe(true);
      expect(s?.user).toBe('10001:10001');
      expect(s?.cap_drop).toEqual(['ALL']);
      expect(Object.keys(s?.depends_on ?? {})).toEqual(expect.arrayContaining(['nats', 'postgres']));
      expect(s?.healthcheck?.test.join(' ')).toContain('/healthz');
    });

    it(`gives ${definition.name} an environment its config schema accepts`, () => {
      const env = Object.fromEntries(
        Object.entries(compose.services[definition.name]?.environment ?? {}).map(([k, v]) => [
          k,
          interpolate(String(v)),
        ]),
      );
      const schema = baseConfigSchema.extend(definition.configSchema.shape).extend({ PORT: port(8080) });
      const config = loadConfig(schema, env) as { NATS_URL?: string; DATABASE_URL?: string; PORT: number };
      expect(config.NATS_URL).toBe('nats://nats:4222');
      expect(config.DATABASE_URL).toMatch(/^postgres:\/\/hip:[^@]+@postgres:5432\/hip$/);
      expect(config.PORT).toBe(8080);
    });
  }
});

interface ComposeService {
  image?: string;
  command?: string[];
  build?: unknown;
  read_only?: boolean;
  user?: string;
  cap_drop?: string[];
  depends_on?: Record<string, unknown>;
  healthcheck?: { test: string[] };
  environment?: Record<string, string | number>;
}
