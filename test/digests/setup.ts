/** A store, a clock, the digest scheduler and the subscription commands over them, for the digest tests. */
import { DigestScheduler } from '../../src/digests/schedule.ts';
import { digestCommands } from '../../src/digests/subscriptions.ts';
import type { DigestRequest } from '../../src/core/services.ts';
import type { Destination } from '../../src/core/delivery.ts';
import type { Reply } from '../../src/core/reply.ts';
import { silentLogger } from '../../src/logger.ts';
import { closedAfterEach, type Backend } from '../support/backends.ts';

export const digest = async (d: Destination): Promise<Reply> => ({
  title: 'Daily digest',
  lines: [`for ${d.chatId}`],
  sections: [],
  footer: ['test'],
  tone: 'neutral',
});

/** Stores opened here are closed after each test of the file that imports this. */
export const openStore = closedAfterEach();

export async function setup(backend: Backend, startMs: number) {
  const store = await openStore(backend);
  const clock = { t: startMs };
  let builds = 0;
  const build = async (d: Destination) => {
    builds++;
    return digest(d);
  };
  const scheduler = new DigestScheduler({ store, log: silentLogger, now: () => clock.t, buildDigest: build });
  const commands = digestCommands({ store, now: () => clock.t, defaultTime: '14:00', buildDigest: build });
  const group = (admin: boolean, over: Partial<DigestRequest> = {}): DigestRequest => ({
    platform: 'telegram',
    user: { id: '7', name: 'op' },
    chat: { id: '-1001', kind: 'group', isAdmin: async () => admin },
    ...over,
  });
  const queued = async () => {
    const rows = await store.outbox.claim(Number.MAX_SAFE_INTEGER - 10, 1, 100, ['telegram', 'discord']);
    await store.outbox.releaseExpiredLeases(Number.MAX_SAFE_INTEGER);
    return rows.map((r) => `${r.idemKey} → ${r.destination.chatId}`);
  };
  return { store, clock, scheduler, commands, group, queued, builds: () => builds };
}
