/**
 * /forget at the terminal prompt (the one local user), with the real alert runtime and store:
 * the question lists what is stored, `/forget confirm` deletes it and says how much went.
 * The button forms (Telegram, Discord) are tested in test/e2e/telegram and test/e2e/discord.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import alert from '../../commands/alert.ts';
import digest from '../../commands/digest.ts';
import forget from '../../commands/forget.ts';
import { CONSOLE_USER, consoleSender } from '../../src/adapters/console/sender.ts';
import { handleConsoleLine } from '../../src/adapters/console/index.ts';
import type { Command, CommandContext } from '../../src/core/command.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { startBackground, type Background } from '../../src/background.ts';
import type { Market } from '../../src/core/market.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { headline } from '../alerts/headline.ts';

const commands = [alert, digest, forget] as unknown as Command[];
const clock = { t: Date.UTC(2025, 6, 1, 8) };
let store: Store;
let runtime: Background;
const chat = { id: CONSOLE_USER.id, kind: 'private' as const, isAdmin: async () => true };
const context = (): CommandContext => ({
  market: {} as Market,
  now: () => clock.t,
  platform: 'console',
  version: 'test',
  user: CONSOLE_USER,
  chat,
  services: runtime.services,
});
const say = async (line: string) => (await handleConsoleLine(line, { commands, makeContext: context, logger: silentLogger }))!;

beforeAll(async () => {
  store = openStore(':memory:');
  runtime = await startBackground({
    config: { MAX_ALERTS_PER_USER: 25, DIGEST_DEFAULT_TIME: '14:00', POLL_INTERVAL_SEC: 60 },
    logger: silentLogger,
    store,
    market: {} as Market,
    senders: [consoleSender(new PassThrough())],
    loadHeadline: async () => ({ headline: headline() }),
    buildDigest: async () => ({ title: 'Daily mining digest', sections: [], footer: ['test'], tone: 'neutral' }),
    now: () => clock.t,
    timers: false,
  });
  await runtime.evaluate(headline());
});

afterAll(async () => {
  await runtime?.stop();
  await store?.close();
});

describe('/forget at the terminal', () => {
  it('says there is nothing to delete before anything is stored', async () => {
    const text = await say('/forget');
    expect(text).toContain('Nothing to delete');
    expect(text).toContain('I had nothing stored about you.');
  });

  it('asks first, listing what is stored, then deletes it on /forget confirm and counts what went', async () => {
    expect(await say('/alert add price above 90k')).toContain('Alert #1 added');
    expect(await say('/alert add hashprice below 40')).toContain('Alert #2 added');
    expect(await say('/digest dm 07:30 UTC')).toContain('to you by direct message every day at 07:30 (UTC)');
    // A message to the user queued for later (not yet due) counts as waiting.
    await store.outbox.enqueue(
      'test:queued',
      { platform: 'console', chatId: CONSOLE_USER.id, kind: 'user' },
      { title: 'later', sections: [], footer: [], tone: 'neutral' },
      clock.t + 3600_000,
    );

    const asked = await say('/forget');
    expect(asked).toContain('Delete your data?');
    expect(asked).toContain(
      'This deletes, for good: 2 alert rules (#1, #2); your daily digest by direct message; 1 message waiting to be sent to you; your user record (your id and display name).',
    );
    expect(asked).toContain('Type /forget confirm to delete it.');
    expect(asked).not.toContain('Also:'); // no button at the terminal
    expect(await store.rules.active()).toHaveLength(2); // asking deletes nothing

    const deleted = await say('/forget confirm');
    expect(deleted).toContain('Your data is deleted');
    expect(deleted).toMatch(/Alert rules\s+2/);
    expect(deleted).toMatch(/DM digest\s+1/);
    expect(deleted).toMatch(/Messages waiting\s+1/);
    expect(deleted).toMatch(/User record\s+1/);
    expect(await store.rules.active()).toEqual([]);
    expect(await store.schedules.get('console', CONSOLE_USER.id)).toBeUndefined();
    expect((await store.outbox.counts()).pending).toBe(0);
    expect(await store.users.find('console', CONSOLE_USER.id)).toBeUndefined();
    expect(await say('/alert list')).toContain('You have no alerts.');
  });

  it('refuses an expired or someone else’s confirm code, and a garbled option, deleting nothing', async () => {
    expect(await say('/alert add price above 95k')).toContain('added');
    const exp = Math.floor(clock.t / 1000) + 600;
    const other = await runCommand(commands, 'forget', { confirm: `someone.${exp}` }, context());
    expect(other.title).toBe('Not your button');
    const expired = await runCommand(commands, 'forget', { confirm: `${CONSOLE_USER.id}.${exp - 601}` }, context());
    expect(expired.title).toBe('This button has expired');
    const garbled = await runCommand(commands, 'forget', { confirm: 'yes please' }, context());
    expect(garbled.title).toBe('/forget: check the option');
    expect(await store.rules.active()).toHaveLength(1);
    const ok = await runCommand(commands, 'forget', { confirm: `${CONSOLE_USER.id}.${exp}` }, context());
    expect(ok.title).toBe('Your data is deleted');
    expect(await store.rules.active()).toHaveLength(0);
  });

  it('explains that one-shot shell runs store nothing', async () => {
    const reply = await runCommand(commands, 'forget', {}, { ...context(), platform: 'cli', services: {} });
    expect(reply.title).toBe('Nothing stored here');
  });
});
