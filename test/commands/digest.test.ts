import { describe, expect, it } from 'vitest';
import { digestAction } from '../../commands/digest.ts';
import type { CommandContext } from '../../src/core/command.ts';
import type { Reply } from '../../src/core/reply.ts';
import { setup } from '../digests/setup.ts';
import { SQLITE } from '../support/backends.ts';

describe('/digest actions', () => {
  it('read the zone first as meant, and say which zone an abbreviation became', async () => {
    const { commands, store } = await setup(SQLITE, Date.UTC(2025, 6, 1, 8));
    const ctx = (admin: boolean) =>
      ({
        platform: 'telegram',
        user: { platform: 'telegram', id: '7' },
        chat: { id: '-1001', kind: 'group', isAdmin: async () => admin },
        services: { digests: commands },
      }) as unknown as CommandContext;
    const show = async (): Promise<Reply> => ({ title: 'digest', sections: [], footer: [], tone: 'neutral' });
    const zoneOnly = await digestAction(ctx(true), { action: 'subscribe', time: 'Europe/Berlin' }, show);
    expect(zoneOnly.lines?.[0]).toBe('The digest will be posted in this chat every day at 14:00 (Europe/Berlin), starting today.');
    const swapped = await digestAction(ctx(true), { action: 'subscribe', time: 'Asia/Tokyo', timezone: '7:30' }, show);
    expect(swapped.lines?.[0]).toBe('The digest will be posted in this chat every day at 07:30 (Asia/Tokyo), starting tomorrow.');
    const longTime = await digestAction(ctx(true), { action: 'subscribe', time: '14:00:00' }, show);
    expect(longTime.lines?.[0]).toBe('The time must be HH:MM on a 24-hour clock, e.g. 14:00 or 7:30 (got "14:00:00").');
    const est = await commands.subscribe({
      platform: 'telegram',
      user: { id: '7' },
      chat: { id: '-1001', kind: 'group', isAdmin: async () => true },
      time: '09:00',
      timezone: 'EST',
    });
    const zone = (await store.schedules.get('telegram', '-1001'))!.timezone;
    expect(est.lines?.[1]).toBe(
      `"EST" is read as ${zone}. If you meant another place, subscribe again with its IANA name, e.g. America/New_York or Europe/London.`,
    );
  });

  it('can be taken at the terminal prompt (printed there), not from a one-shot shell command', async () => {
    const { commands, store } = await setup(SQLITE, Date.UTC(2025, 6, 1, 8));
    const show = async (): Promise<Reply> => ({ title: 'digest', sections: [], footer: [], tone: 'neutral' });
    const at = (platform: 'console' | 'cli') =>
      ({
        platform,
        user: platform === 'console' ? { platform, id: 'local' } : undefined,
        chat: platform === 'console' ? { id: 'local', kind: 'private', isAdmin: async () => true } : undefined,
        services: { digests: commands },
      }) as unknown as CommandContext;
    expect((await digestAction(at('console'), { action: 'dm', time: '08:00' }, show)).title).toBe('Daily digest scheduled');
    expect(await store.schedules.get('console', 'local')).toMatchObject({ kind: 'user', time: '08:00' });
    expect((await digestAction(at('cli'), { action: 'dm' }, show)).lines?.[0]).toMatch(/running terminal bot \(npm start\)/);
  });
});
