import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.ts';
import { setup } from './setup.ts';

describe.each(BACKENDS)('digest commands on $name', (backend) => {
  it('let only admins schedule in a group', async () => {
    const { commands, group, store } = await setup(backend, Date.UTC(2025, 6, 1, 8));
    const denied = await commands.subscribe(group(false));
    expect(denied.title).toBe('Admins only');
    expect(denied.tone).toBe('error');
    expect(await store.schedules.active()).toEqual([]);
    expect((await commands.unsubscribe(group(false))).title).toBe('Admins only');
    expect((await commands.subscribe(group(true))).title).toBe('Daily digest scheduled');
  });

  it('validate time and time zone with clear messages, and default to 14:00 UTC', async () => {
    const { commands, group, store } = await setup(backend, Date.UTC(2025, 6, 1, 15));
    expect((await commands.subscribe(group(true, { time: '25:00' }))).lines?.[0]).toBe(
      'The time must be HH:MM on a 24-hour clock, e.g. 14:00 or 7:30 (got "25:00").',
    );
    expect((await commands.subscribe(group(true, { timezone: 'Berlin' }))).lines?.[0]).toMatch(
      /"Berlin" is not a time zone I know. Use an IANA name such as UTC, Europe\/Berlin/,
    );
    const r = await commands.subscribe(group(true));
    expect(r.lines?.[0]).toBe('The digest will be posted in this chat every day at 14:00 (UTC), starting tomorrow.');
    expect(await store.schedules.get('telegram', '-1001')).toMatchObject({ time: '14:00', timezone: 'UTC', lastDate: '2025-07-01' });
  });

  it('take the digest by DM from a group without admin rights, and stop it', async () => {
    const { commands, group, store } = await setup(backend, Date.UTC(2025, 6, 1, 8));
    const r = await commands.subscribeDm(group(false, { time: '07:30', timezone: 'Asia/Tokyo' }));
    expect(r.lines?.[0]).toBe('The digest will be posted to you by direct message every day at 07:30 (Asia/Tokyo), starting tomorrow.');
    expect(await store.schedules.get('telegram', '7')).toMatchObject({ kind: 'user' });
    expect(
      (
        await commands.unsubscribe({
          platform: 'telegram',
          user: { id: '7' },
          chat: { id: '7', kind: 'private', isAdmin: async () => true },
        })
      ).title,
    ).toBe('Daily digest stopped');
    expect(await store.schedules.active()).toEqual([]);
  });

  it('let a member who is not an admin stop their own DM digest from a group, and nothing else', async () => {
    const { commands, group, store } = await setup(backend, Date.UTC(2025, 6, 1, 8));
    await commands.subscribe(group(true));
    await commands.subscribeDm(group(false));
    const r = await commands.unsubscribe(group(false));
    expect(r.lines).toEqual(['Your direct-message digest is stopped. (Only chat admins can stop this chat’s digest.)']);
    expect((await store.schedules.active()).map((x) => x.chatId)).toEqual(['-1001']);
    const again = await commands.unsubscribe(group(false));
    expect(again.title).toBe('Admins only');
    expect(again.lines?.[0]).toBe('Only chat admins can stop the digest in this group, and you have no direct-message digest to stop.');
  });

  it('preview shows the digest with a note about the schedule', async () => {
    const { commands, group } = await setup(backend, Date.UTC(2025, 6, 1, 8));
    expect((await commands.preview(group(false))).lines?.[0]).toBe('Preview: schedule it here with /digest subscribe [HH:MM] [time zone].');
    await commands.subscribe(group(true, { time: '09:15' }));
    expect((await commands.preview(group(false))).lines).toEqual(['Preview: this is posted here daily at 09:15 (UTC).', 'for -1001']);
  });
});
