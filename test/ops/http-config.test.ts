/** HTTP_PORT and HTTP_HOST: the operator endpoints are off unless a port is given, and a bad value stops start-up. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const failure = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('loadConfig accepted it');
};

describe('HTTP_PORT', () => {
  it('is unset (no server) by default and when empty, as copied from .env.example', () => {
    expect(loadConfig({}).HTTP_PORT).toBeUndefined();
    expect(loadConfig({ HTTP_PORT: '' }).HTTP_PORT).toBeUndefined();
    expect(loadConfig({ HTTP_PORT: '  ' }).HTTP_PORT).toBeUndefined();
  });

  it('reads a port', () => {
    expect(loadConfig({ HTTP_PORT: '9464' }).HTTP_PORT).toBe(9464);
  });

  it.each(['0', '65536', '80.5', 'http', '-1'])('refuses %j with one line naming the variable', (value) => {
    expect(failure({ HTTP_PORT: value })).toBe('HTTP_PORT: expected a whole number from 1 to 65535');
  });

  it('refuses the port the Telegram webhook server already listens on', () => {
    const webhook = { TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/tg', TELEGRAM_WEBHOOK_SECRET: 'abcdefgh12' };
    expect(failure({ ...webhook, HTTP_PORT: '8443' })).toMatch(/^HTTP_PORT: 8443 is already TELEGRAM_WEBHOOK_PORT/);
    expect(loadConfig({ ...webhook, HTTP_PORT: '9464' }).HTTP_PORT).toBe(9464);
    // Without webhook mode nothing listens on TELEGRAM_WEBHOOK_PORT.
    expect(loadConfig({ HTTP_PORT: '8443' }).HTTP_PORT).toBe(8443);
  });
});

describe('HTTP_HOST', () => {
  it('listens on every interface by default', () => {
    expect(loadConfig({}).HTTP_HOST).toBe('0.0.0.0');
  });

  it.each(['127.0.0.1', '::1', '::', 'localhost', 'metrics.internal'])('takes %j', (host) => {
    expect(loadConfig({ HTTP_HOST: host }).HTTP_HOST).toBe(host);
  });

  it.each(['http://0.0.0.0', '0.0.0.0:9464', 'two words', '-dash'])('refuses %j', (host) => {
    expect(failure({ HTTP_HOST: host })).toMatch(/^HTTP_HOST: expected an IP address or a host name/);
  });
});
