/**
 * Alerts and digests end to end over real sockets: the real Telegram adapter (telegraf) against the
 * local Bot API stand-in, the real outbox worker and a SQLite file that is reopened as after a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import alert from '../../../commands/alert.ts';
import digest from '../../../commands/digest.ts';
import { loadConfig } from '../../../src/config.ts';
import type { Command, CommandContext } from '../../../src/core/command.ts';
import type { Headline } from '../../../src/core/headline.ts';
import { startTelegram, type TelegramBot } from '../../../src/adapters/telegram/index.ts';
import { silentLogger } from '../../../src/logger.ts';
import { startBackground, type Background } from '../../../src/background.ts';
import type { Market } from '../../../src/core/market.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../../fakes/telegram.ts';
import { headline } from '../../alerts/headline.ts';

const ALICE = 1001;
const BOB = 1002;
const GROUP = -100_555;
const ADMIN = 7;
const MEMBER = 8;

const dir = mkdtempSync(join(tmpdir(), 'hashwatch-alerts-e2e-'));
const dbPath = join(dir, 'data', 'hashwatch.db');
const clock = { t: Date.UTC(2025, 6, 1, 8) }; // 10:00 in Berlin
let fake: FakeTelegram;
let bot: TelegramBot;
let store: Store;
let runtime: Background;
let current: Headline = headline({ hashpriceUsdPerPhDay: 45 });
const market = {
  tip: async () => ({
    value: { height: current.height, timestampSec: current.tipTimeSec, difficulty: 1 },
    source: 'test',
    fetchedAt: clock.t,
    stale: false,
  }),
} as unknown as Market;

async function start(): Promise<void> {
  store = openStore(dbPath);
  runtime = await startBackground({
    config: { MAX_ALERTS_PER_USER: 25, DIGEST_DEFAULT_TIME: '14:00', POLL_INTERVAL_SEC: 60 },
    logger: silentLogger,
    store,
    market,
    senders: [bot.sender],
    loadHeadline: async (_m, nowMs) => ({ headline: { ...current, atMs: nowMs } }),
    buildDigest: async () => ({
      title: 'Daily mining digest',
      lines: [`Hashprice ${current.hashpriceUsdPerPhDay}`],
      sections: [],
      footer: ['test source'],
      tone: 'neutral',
    }),
    now: () => clock.t,
    timers: false,
  });
}

async function restart(): Promise<void> {
  await runtime.stop();
  await store.close();
  await start();
}

/** Waits until the outbox has nothing pending or in flight. */
async function settled(): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const c = await store.outbox.counts();
    if (c.pending === 0 && c.sending === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`outbox did not settle: ${JSON.stringify(await store.outbox.counts())}`);
}

async function poll(over: Partial<Headline>): Promise<void> {
  clock.t += 60_000;
  current = headline({ ...current, ...over });
  await runtime.pollOnce();
  await settled();
}

const to = (chatId: number, pred: (m: SentMessage) => boolean = () => true) => fake.sent.filter((m) => m.chat_id === chatId && pred(m));
const isAlert = (id: number) => (m: SentMessage) => m.plain.includes(`Alert #${id}:`);

async function ask(chatId: number, text: string, fromId = chatId): Promise<SentMessage> {
  const before = fake.sent.length;
  fake.sendUserMessage({ chatId, text, fromId, chatType: chatId < 0 ? 'supergroup' : 'private' });
  return fake.waitForSent((m) => m.chat_id === chatId && fake.sent.indexOf(m) >= before);
}

beforeAll(async () => {
  fake = await startFakeTelegram();
  const config = loadConfig({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, LOG_LEVEL: 'silent' });
  bot = await startTelegram({
    config,
    logger: silentLogger,
    commands: [alert, digest] as unknown as Command[],
    makeContext: ({ user, chat }): CommandContext => ({
      market,
      now: () => clock.t,
      platform: 'telegram',
      version: 'test',
      user,
      chat,
      services: runtime.services,
    }),
  });
  await start();
  await runtime.pollOnce(); // the bot knows the numbers before anyone adds a rule
});

afterAll(async () => {
  await runtime?.stop();
  await store?.close();
  await bot?.stop();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('alerts over Telegram', () => {
  it('adds a rule in a private chat and echoes it with its id', async () => {
    const reply = await ask(ALICE, '/alert add hashprice below 40');
    expect(reply.plain).toContain('Alert #1 added');
    expect(reply.plain).toContain('You will be alerted when: hashprice (USD per PH/s per day) below $40.00/PH/day.');
    const bad = await ask(ALICE, '/alert add hashprice below lots');
    expect(bad.plain).toContain('Give the threshold as a number in USD/PH/day (got "lots")');
  });

  it('fires once when crossed, not again while the value hovers, and again after re-arming', async () => {
    await poll({ hashpriceUsdPerPhDay: 41 });
    expect(to(ALICE, isAlert(1))).toHaveLength(0);
    await poll({ hashpriceUsdPerPhDay: 39.5 });
    expect(to(ALICE, isAlert(1))).toHaveLength(1);
    expect(to(ALICE, isAlert(1))[0]!.plain).toContain('Hashprice (USD per PH/s per day) fell below $40.00/PH/day: now $39.50/PH/day.');
    for (const v of [39, 40.3, 39.2]) await poll({ hashpriceUsdPerPhDay: v }); // hovering inside the margin
    expect(to(ALICE, isAlert(1))).toHaveLength(1);
    clock.t += 2 * 3600_000; // past the default one-hour cooldown
    await poll({ hashpriceUsdPerPhDay: 41 }); // re-armed (≥ 40.80)
    await poll({ hashpriceUsdPerPhDay: 39.8 });
    expect(to(ALICE, isAlert(1))).toHaveLength(2);
  });

  it('survives a restart on the same database file without re-firing', async () => {
    await restart();
    await poll({ hashpriceUsdPerPhDay: 39.7 }); // still below: nothing new
    expect(to(ALICE, isAlert(1))).toHaveLength(2);
    clock.t += 2 * 3600_000;
    await poll({ hashpriceUsdPerPhDay: 42 });
    await poll({ hashpriceUsdPerPhDay: 38 });
    expect(to(ALICE, isAlert(1))).toHaveLength(3);
  });

  it('disables a blocked user’s rules and still delivers everyone else’s', async () => {
    expect((await ask(BOB, '/alert add price above 90k')).plain).toContain('Alert #2 added');
    expect((await ask(ALICE, '/alert add price above 90k')).plain).toContain('Alert #3 added');
    fake.blockChat(BOB);
    await poll({ priceUsd: 91_000 });
    expect(to(ALICE, isAlert(3))).toHaveLength(1);
    expect(to(BOB, isAlert(2))).toHaveLength(0);
    expect((await store.rules.active()).map((r) => r.id)).toEqual([1, 3]);
    expect((await store.outbox.counts()).failed).toBe(1);
  });
});

describe('channel digests over Telegram', () => {
  it('does not let a non-admin schedule the digest in a group', async () => {
    fake.setAdmins(GROUP, [ADMIN]);
    const reply = await ask(GROUP, '/digest subscribe 14:00 Europe/Berlin', MEMBER);
    expect(reply.plain).toContain('Only chat admins can schedule the digest in this group');
    expect(await store.schedules.active()).toEqual([]);
  });

  it('posts the digest at its time in its time zone', async () => {
    clock.t = Date.UTC(2025, 6, 2, 8); // 10:00 in Berlin, the next day
    const reply = await ask(GROUP, '/digest subscribe 14:00 Europe/Berlin', ADMIN);
    expect(reply.plain).toContain('every day at 14:00 (Europe/Berlin), starting today');
    clock.t = Date.UTC(2025, 6, 2, 11, 59); // 13:59 in Berlin
    expect(await runtime.tickDigests()).toBe(0);
    clock.t = Date.UTC(2025, 6, 2, 12, 0);
    expect(await runtime.tickDigests()).toBe(1);
    await settled();
    const posted = to(GROUP, (m) => m.plain.includes('Daily mining digest'));
    expect(posted).toHaveLength(1);
    clock.t += 5 * 60_000;
    expect(await runtime.tickDigests()).toBe(0);
    await restart(); // a restart the same day does not post it again
    await settled();
    expect(to(GROUP, (m) => m.plain.includes('Daily mining digest'))).toHaveLength(1);
  });
});
