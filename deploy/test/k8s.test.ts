import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseConfigSchema, port, type z } from '@hip/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { services } from '../src/services.ts';
import { type Problem, validateObjects } from './fixtures/k8s-validate.ts';
import { type K8sObject, kustomizationsUnder, renderKustomization } from './fixtures/kustomize.ts';

const k8s = new URL('../k8s/', import.meta.url).pathname;
const overlays = kustomizationsUnder(join(k8s, 'overlays'));

/** `kubectl kustomize`, when a kubectl is installed, to check our renderer against the real one. */
function kubectlKustomize(dir: string): K8sObject[] | undefined {
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', dir], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject)
    .filter(Boolean);
}

const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const sorted = (objects: K8sObject[]) => [...objects].sort((a, b) => key(a).localeCompare(key(b)));
// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field below
type Any = any;
const ofKind = <T = Record<string, Any>>(objects: K8sObject[], kind: string) =>
  objects.filter((o) => o.kind === kind) as unknown as (K8sObject & T)[];

/**
 * The variables held in Secrets, per service, from the table of deploy/README.md that ops follow
 * to create them (Secrets themselves are never in the repository).
 */
function secretKeysOf(service: string): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  return readme
    .split('\n')
    .filter((line) => line.startsWith('| `') && line.split('|')[2]?.trim() === service)
    .flatMap((line) => [...(line.split('|')[3] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

const explain = (problems: Problem[]) => problems.map((p) => `${p.object}: ${p.message}`).join('\n');

it('has a staging and a production overlay', () => {
  expect(overlays.map((o) => o.split('/').pop()).sort()).toEqual(['production', 'staging']);
});

for (const overlay of overlays) {
  const env = overlay.split('/').pop() as string;
  describe(`the ${env} overlay`, () => {
    let objects: K8sObject[];
    beforeAll(() => {
      objects = renderKustomization(overlay);
    });

    it('renders the same objects as kubectl kustomize (where kubectl is installed)', () => {
      expect(objects.length).toBeGreaterThan(30);
      const theirs = kubectlKustomize(overlay);
      if (theirs) expect(sorted(objects)).toEqual(sorted(theirs));
    });

    it('validates every object against the Kubernetes schemas, unknown fields included', async () => {
      const problems = await validateObjects(objects);
      expect(explain(problems)).toBe('');
    });

    it('deploys every service of the platform, each with its Service, PDB, HPA on CPU and NetworkPolicy', () => {
      const names = services.map((s) => s.name).sort();
      expect(
        ofKind(objects, 'Deployment')
          .map((d) => d.metadata.name)
          .sort(),
      ).toEqual(names);
      for (const kind of [
        'Service',
        'PodDisruptionBudget',
        'HorizontalPodAutoscaler',
        'ConfigMap',
        'ServiceAccount',
      ]) {
        const named = ofKind(objects, kind).map((o) => o.metadata.name.replace(/-config$/, ''));
        expect(named.sort(), kind).toEqual(names);
      }
      for (const hpa of ofKind<Any>(objects, 'HorizontalPodAutoscaler')) {
        expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
        expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
      }
      for (const name of names) {
        const policy = ofKind<Any>(objects, 'NetworkPolicy').find(
          (p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === name,
        );
        expect(policy, `NetworkPolicy of ${name}`).toBeDefined();
      }
    });

    it('runs every pod hardened: 2 replicas, non-root, read-only root, no capabilities, seccomp, probes, resources, spread', () => {
      for (const d of ofKind<Any>(objects, 'Deployment')) {
        const pod = d.spec.template.spec;
        const [c] = pod.containers;
        const where = d.metadata.name;
        expect(d.spec.replicas, where).toBe(2);
        expect(pod.securityContext, where).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(pod.automountServiceAccountToken, where).toBe(false);
        expect(c.securityContext, where).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.livenessProbe.httpGet.path, where).toBe('/healthz');
        expect(c.readinessProbe.httpGet.path, where).toBe('/readyz');
        expect(c.resources.requests.cpu, where).toBeDefined();
        expect(c.resources.requests.memory, where).toBeDefined();
        expect(c.resources.limits.memory, where).toBeDefined();
        expect(pod.topologySpreadConstraints.length, where).toBeGreaterThan(0);
        expect(c.image, where).toMatch(new RegExp(`^registry\\.example\\.org/hip/${where}:.+`));
        // The only writable paths are volumes.
        const mounts = c.volumeMounts.map((m: Any) => m.mountPath);
        expect(mounts, where).toEqual(expect.arrayContaining(['/tmp', '/data']));
      }
    });

    it('references only ConfigMaps, claims and Services that the overlay declares', () => {
      const declared = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
      for (const d of ofKind<Any>(objects, 'Deployment')) {
        const pod = d.spec.template.spec;
        for (const from of pod.containers[0].envFrom ?? []) {
          if (from.configMapRef)
            expect(declared, d.metadata.name).toContain(`ConfigMap/${from.configMapRef.name}`);
        }
        for (const v of pod.volumes ?? []) {
          if (v.persistentVolumeClaim) {
            expect(declared).toContain(`PersistentVolumeClaim/${v.persistentVolumeClaim.claimName}`);
          }
        }
        expect(declared).toContain(`ServiceAccount/${pod.serviceAccountName}`);
      }
      for (const ingress of ofKind<Any>(objects, 'Ingress')) {
        for (const rule of ingress.spec.rules) {
          expect(declared).toContain(`Service/${rule.http.paths[0].backend.service.name}`);
        }
      }
    });

    it('publishes only routes that authenticate their callers: no admin page, no parked-work retry', () => {
      const published = ofKind<Any>(objects, 'Ingress').flatMap((ingress) =>
        ingress.spec.rules.flatMap((rule: Any) =>
          rule.http.paths.map((p: Any) => `${p.backend.service.name} ${p.path}`),
        ),
      );
      expect(published.sort()).toEqual(
        [
          // Every route of arcad-sync checks an ARCAD360 session, LIVIA's token or a webhook signature.
          'arcad-sync /',
          'sas-redirect /appointments',
          'sas-redirect /auth',
          'sas-redirect /contexts',
          'sas-redirect /launch',
          'sas-redirect /offer',
          'sas-redirect /search',
        ].sort(),
      );
    });

    it('gives each service the secrets of its outside systems and doc-converter its ReadWriteMany share', () => {
      const pod = (name: string) =>
        ofKind<Any>(objects, 'Deployment').find((d) => d.metadata.name === name)?.spec.template.spec;
      const secretVolumes = (name: string) =>
        pod(name).volumes.flatMap((v: Any) => (v.secret ? [v.secret.secretName] : []));
      const secretEnv = (name: string) =>
        pod(name).containers[0].envFrom.flatMap((f: Any) => (f.secretRef ? [f.secretRef.name] : []));
      expect(secretVolumes('hub-bridge')).toContain('hub-bridge-hub-tls');
      expect(secretEnv('sas-redirect')).toContain('sas-redirect-psc');
      expect(secretEnv('vet-gateway')).toContain('vet-gateway-keys');
      for (const d of ofKind<Any>(objects, 'Deployment')) {
        const env = d.spec.template.spec.containers[0].env.map((e: Any) => e.name);
        expect(env, d.metadata.name).toEqual(expect.arrayContaining(['DATABASE_URL', 'NATS_URL']));
      }
      const share = ofKind<Any>(objects, 'PersistentVolumeClaim').find(
        (p) => p.metadata.name === 'doc-converter-share',
      );
      expect(share?.spec.accessModes).toEqual(['ReadWriteMany']);
      expect(
        pod('doc-converter').volumes.some(
          (v: Any) => v.persistentVolumeClaim?.claimName === 'doc-converter-share',
        ),
      ).toBe(true);
    });

    it('sets only variables each service reads, with values its config schema accepts', () => {
      for (const definition of services) {
        const config = ofKind<Any>(objects, 'ConfigMap').find(
          (c) => c.metadata.name === `${definition.name}-config`,
        );
        const schema = baseConfigSchema.extend(definition.configSchema.shape).extend({ PORT: port(8080) });
        const known = Object.keys(schema.shape);
        const data: Record<string, string> = config?.data ?? {};
        expect(
          Object.keys(data).filter((k) => !known.includes(k)),
          `${definition.name}-config`,
        ).toEqual([]);
        // Secrets are not in the manifests: only the ConfigMap's own values are checked here.
        const result = schema
          .partial()
          .safeParse(Object.fromEntries(Object.entries(data).filter(([, v]) => v !== '')));
        expect(result.error?.issues ?? [], `${definition.name}-config`).toEqual([]);
      }
    });

    it('provides every variable a service requires: ConfigMap, pod env, or a Secret of deploy/README.md', () => {
      for (const definition of services) {
        const schema = baseConfigSchema.extend(definition.configSchema.shape);
        const required = Object.entries(schema.shape)
          .filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success)
          .map(([name]) => name);
        const deployment = ofKind<Any>(objects, 'Deployment').find(
          (d) => d.metadata.name === definition.name,
        );
        const config = ofKind<Any>(objects, 'ConfigMap').find(
          (c) => c.metadata.name === `${definition.name}-config`,
        );
        const provided = new Set([
          ...Object.keys(config?.data ?? {}),
          ...deployment.spec.template.spec.containers[0].env.map((e: Any) => e.name as string),
          ...secretKeysOf(definition.name),
        ]);
        expect(
          required.filter((name) => !provided.has(name)),
          `${definition.name}: required and provided nowhere`,
        ).toEqual([]);
      }
    });

    it('mounts every file path a service is configured with (certificates, share, data)', () => {
      for (const d of ofKind<Any>(objects, 'Deployment')) {
        const container = d.spec.template.spec.containers[0];
        const config = ofKind<Any>(objects, 'ConfigMap').find(
          (c) => c.metadata.name === `${d.metadata.name}-config`,
        );
        const paths = Object.values<string>(config?.data ?? {}).filter((v) => v.startsWith('/'));
        const mounts = container.volumeMounts.map((m: Any) => m.mountPath as string);
        for (const path of paths) {
          expect(
            mounts.some((m: string) => path === m || path.startsWith(`${m}/`)),
            `${d.metadata.name}: ${path} is on no volume (the root filesystem is read-only)`,
          ).toBe(true);
        }
      }
    });

    it('denies all traffic by default and opens only DNS, NATS, Postgres, named outside ranges and the ingress controller', () => {
      const policies = ofKind<Any>(objects, 'NetworkPolicy');
      const deny = policies.find((p) => !p.spec.ingress && !p.spec.egress);
      expect(deny?.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      for (const p of policies.filter((x) => x !== deny)) {
        for (const rule of p.spec.egress) {
          expect(
            rule.to?.length,
            `${p.metadata.name}: an egress rule without destination allows everything`,
          ).toBeGreaterThan(0);
          expect(rule.ports?.length, `${p.metadata.name}: an egress rule without ports`).toBeGreaterThan(0);
          for (const to of rule.to) if (to.ipBlock) expect(to.ipBlock.cidr).not.toBe('0.0.0.0/0');
        }
        const ports = p.spec.egress.flatMap((r: Any) => r.ports.map((x: Any) => x.port));
        expect(ports, p.metadata.name).toEqual(expect.arrayContaining([53, 4222, 5432]));
        for (const rule of p.spec.ingress) expect(rule.from?.length).toBeGreaterThan(0);
      }
    });

    it('keeps as many copies of each JetStream stream as the NATS cluster has nodes', () => {
      const values = parseAllDocuments(
        readFileSync(join(k8s, 'infra/nats/values.yaml'), 'utf8'),
      )[0]!.toJS() as Any;
      const nodes = String(values.config.cluster.replicas);
      for (const map of ofKind<Any>(objects, 'ConfigMap').filter((m) => m.data?.NATS_NAMESPACE !== undefined))
        expect(map.data.NATS_STREAM_REPLICAS, map.metadata.name).toBe(nodes);
    });

    it('runs Postgres as a CloudNativePG cluster with one login role per service', () => {
      const [cluster] = ofKind<Any>(objects, 'Cluster');
      expect(cluster?.apiVersion).toBe('postgresql.cnpg.io/v1');
      const secrets = cluster.spec.managed.roles.map((r: Any) => r.passwordSecret.name).sort();
      expect(secrets).toEqual(services.map((s) => `${s.name}-database`).sort());
    });
  });
}

describe('the validator', () => {
  let objects: K8sObject[];
  let deployment: Any;
  beforeAll(() => {
    objects = renderKustomization(join(k8s, 'overlays/production'));
    deployment = ofKind<Any>(objects, 'Deployment')[0];
  });

  it('rejects a field of the wrong type (replicas: "two")', async () => {
    const broken = structuredClone(deployment);
    broken.spec.replicas = 'two';
    const problems = await validateObjects([broken]);
    expect(explain(problems)).toMatch(/replicas must be integer/);
  });

  it('rejects a missing required field (a probe without port)', async () => {
    const broken = structuredClone(deployment);
    delete broken.spec.template.spec.containers[0].livenessProbe.httpGet.port;
    expect(explain(await validateObjects([broken]))).toMatch(/required property port/);
  });

  it('rejects a misspelt field that would silently turn a setting off (readOnlyRootFileSystem)', async () => {
    const broken = structuredClone(deployment);
    const sc = broken.spec.template.spec.containers[0].securityContext;
    sc.readOnlyRootFileSystem = sc.readOnlyRootFilesystem;
    delete sc.readOnlyRootFilesystem;
    const problems = await validateObjects([broken]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.object).toBe(`Deployment/${deployment.metadata.name}`);
    expect(problems[0]?.message).toMatch(/readOnlyRootFileSystem/);
  });

  it('rejects an object of a kind it has no schema for', async () => {
    const problems = await validateObjects([
      { apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w' } },
    ]);
    expect(explain(problems)).toMatch(/no schema for example.org\/v1 Widget/);
  });

  it('rejects a misspelt field of the CloudNativePG cluster', async () => {
    const broken = structuredClone(ofKind<Any>(objects, 'Cluster')[0]);
    broken.spec.instance = broken.spec.instances;
    delete broken.spec.instances;
    expect(explain(await validateObjects([broken]))).toMatch(/instance/);
  });
});

it('takes SAS appointments in production from the production SAS only, not its test platform', () => {
  const objects = renderKustomization(join(k8s, 'overlays/production'));
  const config = ofKind<Any>(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('sas-redirect'));
  expect(config?.data.HUB_SAS_SENDERS).toBe('fr.health.ptfsas');
});
