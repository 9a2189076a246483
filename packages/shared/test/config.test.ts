import { describe, expect, it } from 'vitest';
import { baseConfigSchema, ConfigError, flag, loadConfig, port, z } from '../src/index.ts';

describe('config', () => {
  it('names the bad variable and what is wrong', () => {
    const schema = baseConfigSchema.extend({ PORT: port(8080) });
    try {
      loadConfig(schema, { PORT: 'eighty', NATS_URL: 'http://x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const vars = (error as ConfigError).issues.map((i) => i.variable).sort();
      expect(vars).toEqual(['NATS_URL', 'PORT']);
      expect((error as Error).message).toContain('NATS_URL: must use nats:// or tls://');
    }
  });

  it('names a missing required variable', () => {
    expect(() => loadConfig(z.object({ EXPORT_ROOT: z.string() }), {})).toThrow(/EXPORT_ROOT/);
  });

  it('applies defaults and treats empty values as unset', () => {
    const config = loadConfig(baseConfigSchema.extend({ PORT: port(8085), SIGN: flag(false) }), {
      PORT: '',
      SIGN: 'true',
    });
    expect(config).toMatchObject({ PORT: 8085, SIGN: true, LOG_LEVEL: 'info', DATA_DIR: '.data' });
  });
});
