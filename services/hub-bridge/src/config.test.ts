import { baseConfigSchema, ConfigError, loadConfig } from '@hip/shared';
import { describe, expect, it } from 'vitest';
import { assertConsistentConfig, configSchema } from './config.ts';

/** The environment parsed as the platform does at start: base schema extended with ours. */
const load = (env: Record<string, string>) => loadConfig(baseConfigSchema.extend(configSchema.shape), env);

/** The variables a refused environment is refused for. */
function refusedVariables(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => i.variable);
    throw error;
  }
  return [];
}

describe('hub-bridge configuration', () => {
  it('reads the defaults', () => {
    const config = load({});
    expect(config.HUB_OUTBOUND_BACKOFF_MS).toEqual([1000, 5000, 30000]);
    expect(config.HUB_VHOSTS).toEqual(['15-15_v1.5']);
    expect(() => assertConsistentConfig(config)).not.toThrow();
  });

  it('refuses backoff waits that are not milliseconds, naming the variable', () => {
    expect(refusedVariables(() => load({ HUB_OUTBOUND_BACKOFF_MS: '1s,5s' }))).toEqual([
      'HUB_OUTBOUND_BACKOFF_MS',
    ]);
    expect(load({ HUB_OUTBOUND_BACKOFF_MS: '10, 20' }).HUB_OUTBOUND_BACKOFF_MS).toEqual([10, 20]);
  });

  it('refuses a vhost list with no vhost in it', () => {
    expect(refusedVariables(() => load({ HUB_AMQP_URL: 'amqp://hub', HUB_VHOSTS: ' , ' }))).toEqual([
      'HUB_VHOSTS',
    ]);
    const direct = configSchema.safeParse({ HUB_AMQP_URL: 'amqp://hub', HUB_VHOSTS: '' });
    expect(direct.success).toBe(false);
  });

  it('refuses an issuer pattern that is not a regular expression, with the reason', () => {
    const error = (() => {
      try {
        load({ HUB_CERT_ISSUER_PATTERN: 'IGC[' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.issues).toEqual([
      {
        variable: 'HUB_CERT_ISSUER_PATTERN',
        message: expect.stringContaining('must be a regular expression'),
      },
    ]);
  });

  it('refuses a reconnect maximum below the initial wait, at parse and at start', () => {
    const env = { HUB_RECONNECT_INITIAL_MS: '5000', HUB_RECONNECT_MAX_MS: '100' };
    expect(refusedVariables(() => loadConfig(configSchema, env))).toEqual(['HUB_RECONNECT_MAX_MS']);
    // The platform's extended schema drops the rule between variables: the start checks it.
    const config = load(env);
    expect(refusedVariables(() => assertConsistentConfig(config))).toEqual(['HUB_RECONNECT_MAX_MS']);
  });
});
