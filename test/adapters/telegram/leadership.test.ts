/**
 * Two instances of the adapter (real telegraf) on one bot token, long polling the Bot API stand-in,
 * which holds one long poll per bot and ends the older with 409 as Telegram does. Only the leader
 * polls; leadership moves and polling moves with it, with every update answered exactly once.
 * A forwarder in front of the stand-in per instance tells whose calls are whose; each instance's log
 * tells what it saw (a 409 it was answered, when it stopped polling).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineCommand, type Command } from '../../../src/core/command.ts';
import type { LeaderSignal } from '../../../src/core/leadership.ts';
import { singleLeadership } from '../../../src/cluster/leadership.ts';
import { createLogger } from '../../../src/logger.ts';
import { telegramPlatform, type TelegramBot } from '../../../src/adapters/telegram/index.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fakes/telegram.ts';
import { startForwarder, type ForwardedCall, type Forwarder } from './forwarder.ts';
import { startBot } from './harness.ts';

type Role = 'leader' | 'follower';

/**
 * A test's hand on leadership: like an elected one, the old leader hears it lost before the new one
 * hears it won, and listeners are told the role as a word, not a flag, as the PostgreSQL election does.
 */
class Leadership {
  private leading: string | undefined;
  private readonly listeners = new Map<string, Set<(role: Role) => void>>();
  /** Names whose lease ran out silently: isLeader() is false before any event says so (a paused process). */
  private readonly lapsed = new Set<string>();

  signalFor(name: string): LeaderSignal {
    const listeners = new Set<(role: Role) => void>();
    this.listeners.set(name, listeners);
    const election = {
      isLeader: () => this.leading === name && !this.lapsed.has(name),
      onChange: (listener: (role: Role) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    return election;
  }

  handTo(name: string | undefined) {
    const old = this.leading;
    this.leading = undefined;
    if (old !== undefined) this.tell(old);
    this.leading = name;
    if (name !== undefined) this.tell(name);
  }

  /** The lease of `name` expires without an event yet (as after a long pause): isLeader() turns false. */
  lapse(name: string) {
    this.lapsed.add(name);
  }

  private tell(name: string) {
    this.lapsed.delete(name);
    const role: Role = this.leading === name ? 'leader' : 'follower';
    for (const listener of this.listeners.get(name) ?? []) listener(role);
  }
}

/** Each instance names itself in its answer, so a test sees who answered. */
function commandsOf(instance: string, slow?: { entered(): void; gate: Promise<void> }): Command[] {
  return [
    defineCommand({
      name: 'who',
      description: 'Says which instance answered',
      options: { text: { kind: 'text', maxLength: 100, example: 'x', description: 'A marker' } },
      examples: ['/who x'],
      async run(_ctx, args) {
        if (args.text === 'slow' && slow) {
          slow.entered();
          await slow.gate;
        }
        return { title: 'Who', lines: [`${args.text ?? ''} answered by ${instance}`], sections: [], footer: [], tone: 'neutral' };
      },
    }),
  ];
}

interface Instance {
  name: string;
  tap: Forwarder;
  bot: TelegramBot;
  logs: { msg: string; reason?: string }[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(leadership: Leadership, names: string[], slow?: Parameters<typeof commandsOf>[1]) {
  const fake = await startFakeTelegram();
  cleanups.push(() => fake.close());
  const instances: Instance[] = [];
  for (const name of names) {
    const tap = await startForwarder(() => fake.apiRoot);
    cleanups.push(() => tap.close());
    const logs: Instance['logs'] = [];
    const bot = await startBot(fake, commandsOf(name, slow), {
      env: { TELEGRAM_API_ROOT: tap.origin },
      leader: leadership.signalFor(name),
      logger: createLogger({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) }),
    });
    cleanups.push(() => bot.stop());
    instances.push({ name, tap, bot, logs });
  }
  return { fake, instances };
}

const polls = (i: Instance) => i.tap.calls.filter((c) => c.method === 'getUpdates');
/** A getUpdates that waits for updates (the confirmation on the way out asks with timeout 0). */
const longPolls = (i: Instance) => polls(i).filter((c) => Number(c.params?.timeout ?? 0) > 0);
/** Failed getUpdates the instance itself saw (a 409 from the other poller among them). */
const pollFailures = (i: Instance) => i.logs.filter((l) => l.msg === 'telegram: getUpdates failed; retrying').map((l) => l.reason);
const stoppedPolling = (i: Instance) => i.logs.filter((l) => l.msg === 'telegram: no longer leader; long polling stopped').length;
/** The long poll `i` has open now (waits for it to be sent). */
async function openPoll(i: Instance): Promise<ForwardedCall> {
  let open: ForwardedCall | undefined;
  await waitFor(() => (open = longPolls(i).find((c) => c.status === undefined && !c.abandoned)) !== undefined);
  return open!;
}

let nextChat = 400;
async function ask(fake: FakeTelegram, marker: string): Promise<string> {
  const chatId = nextChat++;
  fake.sendUserMessage({ chatId, text: `/who ${marker}` });
  const reply = await fake.waitForSent((m) => m.chat_id === chatId, 10_000);
  return reply.plain.match(/answered by (\w+)/)?.[1] ?? '?';
}

describe('Telegram long polling on several instances', () => {
  it('only the leader polls; handing over aborts the old poll at once and the new leader answers, each update once', async () => {
    const leadership = new Leadership();
    leadership.handTo('a');
    const { fake, instances } = await setUp(leadership, ['a', 'b']);
    const [a, b] = instances as [Instance, Instance];

    expect(await Promise.all(['m1', 'm2', 'm3'].map((m) => ask(fake, m)))).toEqual(['a', 'a', 'a']);
    expect(polls(b)).toEqual([]);

    await openPoll(a);
    const aPolls = longPolls(a).length;
    leadership.handTo('b');
    // A gives up the poll it had open itself: it does not wait out its 50 s timeout, and is not
    // still listening when B's poll ends it with 409 (which A would log as a failed getUpdates).
    await waitFor(() => stoppedPolling(a) === 1);
    expect(await Promise.all(['m4', 'm5', 'm6'].map((m) => ask(fake, m)))).toEqual(['b', 'b', 'b']);
    expect(longPolls(a)).toHaveLength(aPolls);

    await openPoll(b);
    const bPolls = longPolls(b).length;
    leadership.handTo('a');
    await waitFor(() => stoppedPolling(b) === 1);
    expect(await ask(fake, 'm7')).toBe('a');
    expect(longPolls(b)).toHaveLength(bPolls);

    // Neither instance was ever knocked off by the other.
    expect([...pollFailures(a), ...pollFailures(b)]).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    const replies = fake.sent.filter((m) => m.plain.includes('answered by'));
    expect(replies.map((m) => m.plain.match(/(m\d) answered/)?.[1]).sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
  });

  it('a command already taken in finishes on the old leader after the hand-over, and only there', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const running = new Promise<void>((resolve) => (entered = resolve));
    const leadership = new Leadership();
    leadership.handTo('a');
    const { fake, instances } = await setUp(leadership, ['a', 'b'], { entered, gate });
    const [a] = instances as [Instance, Instance];

    const slowChat = nextChat++;
    fake.sendUserMessage({ chatId: slowChat, text: '/who slow' });
    await running;
    // The next poll asks past the update, which confirms it (https://core.telegram.org/bots/api#getupdates, offset).
    await openPoll(a);
    leadership.handTo('b');
    expect(await ask(fake, 'during')).toBe('b');
    release();
    const slow = await fake.waitForSent((m) => m.chat_id === slowChat, 10_000);
    expect(slow.plain).toContain('slow answered by a');
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.sent.filter((m) => m.chat_id === slowChat)).toHaveLength(1);
  });

  it('a leader whose lease ran out unannounced takes nothing more; the next leader gets those updates', async () => {
    const leadership = new Leadership();
    leadership.handTo('a');
    const { fake, instances } = await setUp(leadership, ['a', 'b']);
    const [a] = instances as [Instance, Instance];
    expect(await ask(fake, 'before')).toBe('a');

    // A is still inside its long poll when its lease ends; the next update wakes that poll.
    const aPoll = await openPoll(a);
    leadership.lapse('a');
    const chatId = nextChat++;
    fake.sendUserMessage({ chatId, text: '/who after' });
    await waitFor(() => aPoll.status === 200);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.sent.filter((m) => m.chat_id === chatId)).toEqual([]);

    leadership.handTo('b');
    const reply = await fake.waitForSent((m) => m.chat_id === chatId, 10_000);
    expect(reply.plain).toContain('after answered by b');
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.sent.filter((m) => m.chat_id === chatId)).toHaveLength(1);
  });

  it('main hands the leader signal over through the platform start options', async () => {
    const fake = await startFakeTelegram();
    cleanups.push(() => fake.close());
    const leadership = new Leadership();
    const platform = telegramPlatform({
      config: loadConfig({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, LOG_LEVEL: 'silent' }),
      logger: silentLogger,
      commands: commandsOf('platform'),
    });
    const context = () => ({ market: {} as never, now: Date.now, platform: 'telegram' as const, version: 'test', services: {} });
    const started = await platform.start(context, Promise.resolve(), { leader: leadership.signalFor('platform') });
    cleanups.push(() => started.stop());
    const chatId = nextChat++;
    fake.sendUserMessage({ chatId, text: '/who waiting' });
    // A follower: nothing polls, so nothing is answered (the stand-in would be asked at once otherwise).
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls.filter((c) => c.method === 'getUpdates')).toEqual([]);
    leadership.handTo('platform');
    expect((await fake.waitForSent((m) => m.chat_id === chatId, 10_000)).plain).toContain('waiting answered by platform');
  });

  it("the election's Leadership is a LeaderSignal as it is (checked by tsc), so main hands it over unwrapped", () => {
    const signal: LeaderSignal = singleLeadership();
    expect(signal.isLeader()).toBe(true);
  });

  it('without a leader signal the adapter polls as before (one process is always leader)', async () => {
    const fake = await startFakeTelegram();
    cleanups.push(() => fake.close());
    const bot = await startBot(fake, commandsOf('solo'));
    cleanups.push(() => bot.stop());
    expect(await ask(fake, 'x')).toBe('solo');
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
