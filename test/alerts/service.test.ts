/**
 * Where the /alert replies say a fired alert will appear (issue 9 §3 wording): by direct message on
 * the chat platforms, at the prompt in the terminal, where there is no direct message.
 */
import { describe, expect, it } from 'vitest';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { alertCommands } from '../../src/alerts/service.ts';
import { silentLogger } from '../../src/logger.ts';
import { BACKENDS, closedAfterEach, type Backend } from '../support/backends.ts';
import { headline } from './headline.ts';

const openStore = closedAfterEach();

async function service(backend: Backend) {
  const store = await openStore(backend);
  const engine = new AlertEngine(store, silentLogger);
  await engine.load();
  return alertCommands({ store, engine, maxPerUser: 5, now: () => Date.UTC(2025, 3, 1, 12), fetchHeadline: async () => headline() });
}

describe.each(BACKENDS)('/alert replies say where alerts arrive ($name)', (backend) => {
  it('by direct message on Telegram and Discord', async () => {
    const alerts = await service(backend);
    const added = await alerts.add({ platform: 'telegram', id: '1001' }, { subject: 'hashprice', condition: 'below', value: '40' });
    expect(added.footer).toEqual(['Alerts arrive by direct message. Only you can see and change your rules.']);
    expect((await alerts.list({ platform: 'discord', id: '42' })).footer).toEqual([
      'Alerts arrive by direct message. Only you can see and change your rules.',
    ]);
  });

  it('at the prompt in the terminal', async () => {
    const alerts = await service(backend);
    const added = await alerts.add({ platform: 'console', id: 'local' }, { subject: 'hashprice', condition: 'below', value: '40' });
    expect(added.footer).toEqual(['Alerts print here at the prompt while hashwatch runs. Only you can see and change your rules.']);
  });
});
