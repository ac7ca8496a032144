/** Readiness without the HTTP layer: a hung store, and platforms that start and end. */
import { describe, expect, it } from 'vitest';
import { PlatformStatus, checkReadiness } from '../../src/ops/readiness.ts';

describe('checkReadiness', () => {
  it('calls a store that never answers an error, instead of hanging the probe', async () => {
    const result = await checkReadiness({ store: () => new Promise(() => undefined), platforms: () => ({}), role: () => 'single' }, 50);
    expect(result.ready).toBe(false);
    expect(result.store).toBe('error');
    expect(String(result.storeError)).toMatch(/no answer within 50 ms/);
  });

  it('calls a store check that throws before returning a promise an error too', async () => {
    const result = await checkReadiness({
      store: () => {
        throw new Error('pool closed');
      },
      platforms: () => ({ console: true }),
      role: () => 'single',
    });
    expect(result).toMatchObject({ ready: false, store: 'error', platforms: { console: 'connected' } });
  });
});

describe('PlatformStatus', () => {
  it('is down before a platform starts, up once it has, and down again when it ends on its own', async () => {
    const status = new PlatformStatus(['telegram', 'discord']);
    expect(status.snapshot()).toEqual({ telegram: false, discord: false });
    let end!: (err?: Error) => void;
    status.started('telegram', new Promise<Error | undefined>((resolve) => (end = resolve)));
    status.started('discord');
    expect(status.snapshot()).toEqual({ telegram: true, discord: true });
    end(new Error('401 Unauthorized'));
    await new Promise((r) => setImmediate(r));
    expect(status.snapshot()).toEqual({ telegram: false, discord: true });
  });

  it('asks a platform that can tell whether its sessions are up at every probe (a dropped Discord gateway reads down)', () => {
    const status = new PlatformStatus(['discord']);
    let sessionsReady = true;
    status.started('discord', undefined, () => sessionsReady);
    expect(status.snapshot()).toEqual({ discord: true });
    sessionsReady = false;
    expect(status.snapshot()).toEqual({ discord: false });
    sessionsReady = true;
    expect(status.snapshot()).toEqual({ discord: true });
  });
});
