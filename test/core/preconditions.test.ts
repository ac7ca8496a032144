import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { defineCommand, type CommandContext } from '../../src/core/command.ts';
import { runCommand } from '../../src/core/run.ts';

let ran = 0;
const probe = (declared: Partial<Parameters<typeof defineCommand>[0]>) =>
  defineCommand({
    name: 'probe',
    description: 'Counts its runs',
    options: {},
    examples: ['/probe'],
    ...declared,
    run: async () => {
      ran += 1;
      return { title: 'ran', sections: [], footer: [], tone: 'neutral' };
    },
  });

type Chat = NonNullable<CommandContext['chat']>;
const context = (over: Partial<CommandContext> = {}, chat?: Partial<Chat>): CommandContext => ({
  market: {} as CommandContext['market'],
  now: () => 0,
  platform: 'telegram',
  version: 'test',
  services: {},
  user: { platform: 'telegram', id: '7' },
  ...(chat ? { chat: { id: '-100', kind: 'group', isAdmin: async () => false, ...chat } } : {}),
  ...over,
});

describe('preconditions, checked once in core for every platform', () => {
  it('refuses a personal command where everyone in the chat would see the answer, but not where replies can be private', async () => {
    const personal = probe({ personal: true });
    ran = 0;
    const group = await runCommand([personal], 'probe', {}, context({}, {}));
    expect(group.title).toBe('Send this in a private chat');
    expect(group.lines).toEqual(['Send /probe to me in a private chat: what is yours stays between us.']);
    expect(ran).toBe(0);
    // Discord: an ephemeral reply reaches the asker alone, in a server too.
    expect((await runCommand([personal], 'probe', {}, context({ platform: 'discord' }, { privateReplies: true }))).title).toBe('ran');
    expect((await runCommand([personal], 'probe', {}, context({}, { kind: 'private' }))).title).toBe('ran');
    expect(ran).toBe(2);
  });

  it('refuses an admin-only command to a non-admin on any platform, where the bot cannot post, and saying who counts as admin', async () => {
    const admin = probe({ adminOnly: true });
    ran = 0;
    const telegram = await runCommand([admin], 'probe', {}, context({}, {}));
    expect(telegram).toMatchObject({
      title: '/probe is for channel admins',
      lines: ['Changing this needs admin rights in this chat.'],
      ephemeral: true,
    });
    const discord = await runCommand(
      [admin],
      'probe',
      {},
      context({ platform: 'discord' }, { adminRule: 'the Manage Server or Manage Channels permission in this server' }),
    );
    expect(discord.lines).toEqual(['Changing this needs the Manage Server or Manage Channels permission in this server.']);
    const notMember = await runCommand(
      [admin],
      'probe',
      {},
      context({ platform: 'discord' }, { postable: false, isAdmin: async () => true }),
    );
    expect(notMember.title).toBe('/probe does not work here');
    expect(ran).toBe(0);
    expect((await runCommand([admin], 'probe', {}, context({}, { isAdmin: async () => true }))).title).toBe('ran');
  });

  it('says what is missing first: the service, then an asker it can tell apart', async () => {
    const needy = probe({ needs: () => ({ alerts: { title: 'No store', text: 'a' }, user: { title: 'No asker', text: 'b' } }) });
    ran = 0;
    expect((await runCommand([needy], 'probe', {}, context({ platform: 'cli', user: undefined }))).title).toBe('No store');
    const alerts = {} as NonNullable<CommandContext['services']['alerts']>;
    expect((await runCommand([needy], 'probe', {}, context({ platform: 'cli', user: undefined, services: { alerts } }))).title).toBe(
      'No asker',
    );
    expect((await runCommand([needy], 'probe', {}, context({ user: { platform: 'cli', id: 'x' }, services: { alerts } }))).title).toBe(
      'No asker',
    );
    expect(ran).toBe(0);
  });

  it('/alert and /forget are refused in a Telegram group before they touch a store', async () => {
    const services = { alerts: {} as never, account: {} as never };
    for (const name of ['alert', 'forget']) {
      const reply = await runCommand(commands, name, {}, context({ services }, {}));
      expect(reply.title).toBe('Send this in a private chat');
      expect(reply.lines?.[0]).toBe(`Send /${name} to me in a private chat: what is yours stays between us.`);
    }
  });

  it('/digest declares per action: showing needs nothing, scheduling needs the store', async () => {
    const digest = commands.find((c) => c.name === 'digest')!;
    expect(digest.needs?.({})).toBeUndefined();
    expect(digest.needs?.({ action: 'show' })).toBeUndefined();
    for (const action of ['subscribe', 'unsubscribe', 'dm', 'preview']) {
      const reply = await runCommand(commands, 'digest', { action }, context({}, { kind: 'private' }));
      expect(reply.title).toBe('Digest subscriptions unavailable');
    }
  });
});
