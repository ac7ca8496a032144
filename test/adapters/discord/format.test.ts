import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src/core/reply.ts';
import { CUSTOM_ID_MAX, decodeButtonId, encodeButtonId } from '../../../src/adapters/discord/custom-id.ts';
import { EMBED_LIMITS, TONE_COLOURS, escapeDiscord, renderDiscord } from '../../../src/adapters/discord/format.ts';
import { messageProblems } from '../../fakes/discord.ts';

const NOW = Date.UTC(2025, 3, 1, 21, 0, 0);

const base: Reply = {
  title: 'Hashprice',
  lines: ['Inputs: difficulty 113.76 T.', '⚠ price is 3 h stale'],
  sections: [
    {
      fields: [
        { label: 'USD per PH/day', value: '$38.86', inline: true },
        { label: 'Change (USD)', value: '1d +1.3 %' },
      ],
    },
    { title: 'Fleet', fields: [{ label: 'Daily margin', value: '$12.00', inline: true }] },
  ],
  footer: ['Block 890,447 · mined 10 min ago', 'Source: mempool.space (fetched 1 min ago)'],
  tone: 'up',
};

/** The JSON Discord would receive for the payload's embeds and components. */
const wire = (reply: Reply) => JSON.parse(JSON.stringify(renderDiscord(reply, NOW)));

describe('renderDiscord', () => {
  it('maps a reply to one embed: title, lines → description, sections → fields, footer, colour, timestamp', () => {
    const p = renderDiscord(base, NOW);
    expect(p.allowedMentions).toEqual({ parse: [] });
    expect(p.flags).toBeUndefined();
    expect(p.files).toEqual([]);
    expect(p.components).toEqual([]);
    const [embed] = p.embeds;
    expect(embed).toEqual({
      title: 'Hashprice',
      color: TONE_COLOURS.up,
      timestamp: '2025-04-01T21:00:00.000Z',
      description: 'Inputs: difficulty 113.76 T.\n⚠ price is 3 h stale',
      fields: [
        { name: 'USD per PH/day', value: '$38.86', inline: true },
        { name: 'Change (USD)', value: '1d +1.3 %', inline: false },
        { name: 'Fleet', value: '\u200b', inline: false },
        { name: 'Daily margin', value: '$12.00', inline: true },
      ],
      footer: { text: 'Block 890,447 · mined 10 min ago\nSource: mempool.space (fetched 1 min ago)' },
    });
  });

  it('colours by tone: up green, down red, neutral blurple, error orange; errors are ephemeral', () => {
    expect(new Set(Object.values(TONE_COLOURS)).size).toBe(4);
    expect(renderDiscord({ ...base, tone: 'down' }, NOW).embeds[0]!.color).toBe(0xe74c3c);
    expect(renderDiscord({ ...base, tone: 'neutral' }, NOW).embeds[0]!.color).toBe(0x5865f2);
    const err = renderDiscord({ ...base, tone: 'error', ephemeral: true }, NOW);
    expect(err.embeds[0]!.color).toBe(0xe67e22);
    expect(err.flags).toBe(64);
  });

  it('shows a chart as an attachment the embed points at', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const p = renderDiscord({ ...base, chart: { png, filename: 'hash price 30d.png', alt: 'Hashprice, last 30 days' } }, NOW);
    expect(p.files).toHaveLength(1);
    expect(p.files[0]!.name).toBe('hash_price_30d.png');
    expect(p.files[0]!.attachment).toBe(png);
    expect(p.files[0]!.description).toBe('Hashprice, last 30 days');
    expect(p.embeds[0]!.image).toEqual({ url: 'attachment://hash_price_30d.png' });
  });

  it('turns buttons into action rows of at most 5, with decodable custom ids', () => {
    const buttons = Array.from({ length: 7 }, (_, i) => ({ label: `w${i}`, command: 'pools', args: { window: `w${i}` } }));
    const p = renderDiscord({ ...base, buttons: [...buttons, buttons[0]!] }, NOW);
    expect(p.components.map((r) => r.components.length)).toEqual([5, 2]);
    const first = p.components[0]!.components[0]! as { custom_id: string; label: string };
    expect(first.label).toBe('w0');
    expect(decodeButtonId(first.custom_id)).toEqual({ command: 'pools', args: { window: 'w0' } });
  });

  it('leaves out a button whose arguments cannot fit in 100 characters', () => {
    const p = renderDiscord(
      {
        ...base,
        buttons: [
          { label: 'long', command: 'help', args: { command: 'x'.repeat(120) } },
          { label: 'ok', command: 'help', args: {} },
        ],
      },
      NOW,
    );
    expect(p.components[0]!.components.map((b) => (b as { label: string }).label)).toEqual(['ok']);
  });

  it('escapes markdown and defuses mentions in user-visible text, keeping `code spans`', () => {
    expect(escapeDiscord('hi @everyone and @here <@123> <@&456> <#789>')).toBe(
      'hi @\u200beveryone and @\u200bhere <@\u200b123> <@&\u200b456> <#\u200b789>',
    );
    expect(escapeDiscord('*bold* _it_ ~~s~~ ||spoiler||')).toBe('\\*bold\\* \\_it\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\|');
    expect(escapeDiscord('# big\n> quote\n- item\n12. item\nback\\slash [x](y) -5 % 1.5')).toBe(
      '\\# big\n\\> quote\n\\- item\n12\\. item\nback\\\\slash \\[x\\](y) -5 % 1.5',
    );
    expect(escapeDiscord('-5 %')).toBe('\\-5 %');
    expect(escapeDiscord('`price` must be a number, got "**x**"')).toBe('`price` must be a number, got "\\*\\*x\\*\\*"');
    const p = wire({ ...base, title: '@everyone', lines: ['@everyone look'], sections: [{ fields: [{ label: '@here', value: '<@1>' }] }] });
    expect(JSON.stringify(p.embeds)).not.toMatch(/@everyone|@here|<@1>/);
  });

  it('defuses mentions inside backticks too, and shows user backticks literally (issue 10 #10)', () => {
    expect(escapeDiscord('x `@everyone` y')).toBe('x \\`@\u200beveryone\\` y');
    expect(escapeDiscord('no /`<@&1> *b*`')).toBe('no /\\`<@&\u200b1> \\*b\\*\\`');
    expect(escapeDiscord('`/price` has no option `foo`')).toBe('`/price` has no option `foo`');
    expect(escapeDiscord('`price` must be one of: USD (got "`usd`")')).toBe('`price` must be one of: USD (got "\\`usd\\`")');
  });

  it('truncates with "…" instead of exceeding a limit', () => {
    const huge: Reply = {
      title: 'T'.repeat(300),
      lines: ['L'.repeat(5000)],
      sections: [{ fields: Array.from({ length: 30 }, (_, i) => ({ label: `N${i}`.repeat(100), value: 'V'.repeat(2000) })) }],
      footer: ['F'.repeat(3000)],
      tone: 'neutral',
    };
    const [embed] = wire(huge).embeds;
    expect(messageProblems({ embeds: [embed] })).toEqual([]);
    expect(embed.title).toHaveLength(EMBED_LIMITS.title);
    expect(embed.title.endsWith('…')).toBe(true);
    expect(embed.footer.text.endsWith('…')).toBe(true);
    expect(embed.fields.length).toBeLessThanOrEqual(25);
  });

  it('any reply renders to a payload Discord accepts (property)', () => {
    const text = (max: number) =>
      fc.string({ maxLength: max, unit: fc.constantFrom('a', ' ', '*', '_', '@', 'é', '\n', '`', '<', '9', '€', '—') });
    const reply: fc.Arbitrary<Reply> = fc.record({
      title: text(400),
      lines: fc.array(text(1500), { maxLength: 6 }),
      sections: fc.array(
        fc.record({
          title: fc.option(text(300), { nil: undefined }),
          fields: fc.array(fc.record({ label: text(300), value: text(1500), inline: fc.boolean() }), { maxLength: 12 }),
        }),
        { maxLength: 4 },
      ),
      footer: fc.array(text(900), { maxLength: 4 }),
      tone: fc.constantFrom('up', 'down', 'neutral', 'error'),
      buttons: fc.array(
        fc.record({
          label: text(100),
          command: fc.constantFrom('pools', 'price', 'Bad Name'),
          args: fc.dictionary(fc.constantFrom('window', 'currency'), text(60)),
        }),
        { maxLength: 30 },
      ),
      ephemeral: fc.boolean(),
    });
    fc.assert(
      fc.property(reply, (r) => {
        const p = wire(r);
        expect(messageProblems(p)).toEqual([]);
        expect(p.allowedMentions).toEqual({ parse: [] });
        expect(JSON.stringify(p.embeds)).not.toMatch(/@everyone|@here/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('button custom ids', () => {
  it('round-trip command and arguments', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/),
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), fc.string({ maxLength: 12 }), { maxKeys: 3 }),
        (command, args) => {
          const id = encodeButtonId(command, args);
          if (id === undefined) return;
          expect(id.length).toBeLessThanOrEqual(CUSTOM_ID_MAX);
          expect(decodeButtonId(id)).toEqual({ command, args });
        },
      ),
    );
  });

  it('reject anything this bot did not make', () => {
    for (const bad of [
      '',
      'pools',
      'hw1:',
      'hw1:Pools:window=1m',
      'hw2:pools:window=1m',
      'hw1:pools:Window=1m',
      'hw1:pools:a=1&a=2',
      `hw1:pools:window=${'x'.repeat(100)}`,
    ]) {
      expect(decodeButtonId(bad), bad).toBeUndefined();
    }
    expect(encodeButtonId('pools', { window: 'x'.repeat(100) })).toBeUndefined();
    expect(encodeButtonId('Pools', {})).toBeUndefined();
  });
});
