/** Reply → Telegram HTML: escaping, layout, callback data and splitting. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Reply } from '../../../src/core/reply.ts';
import { decodeCallback, encodeCallback, escapeHtml, renderTelegram, splitHtml } from '../../../src/adapters/telegram/format.ts';
import { splitLines } from '../../../src/render/split.ts';
import { parseTelegramHtml } from '../../fakes/telegram.ts';

const base: Reply = {
  title: 'Hashprice',
  lines: ['Use `price` for a what-if.'],
  sections: [{ title: 'Now', fields: [{ label: 'USD per PH/day', value: '$38.86' }] }],
  footer: ['mempool.space · block 890,447 · 7 min ago'],
  tone: 'neutral',
};

const nonSpace = (s: string) => s.replace(/\s+/g, '');

describe('renderTelegram', () => {
  it('lays a reply out one fact per line with the footer in italics', () => {
    const { html, keyboard } = renderTelegram(base);
    expect(html).toBe(
      '<b>Hashprice</b>\nUse <code>price</code> for a what-if.\n\n<b>Now</b>\nUSD per PH/day: <b>$38.86</b>\n\n<i>mempool.space · block 890,447 · 7 min ago</i>',
    );
    expect(keyboard).toBeUndefined();
    expect(parseTelegramHtml(html)).toContain('7 min ago');
  });

  it('escapes every user-reachable string and defuses @mentions', () => {
    const evil = '<script>alert(1)</script> & <b>x</b> @everyone';
    const reply: Reply = {
      title: evil,
      lines: [evil],
      sections: [{ title: evil, fields: [{ label: evil, value: evil }] }],
      footer: [evil],
      tone: 'error',
    };
    const { html } = renderTelegram(reply);
    const plain = parseTelegramHtml(html); // throws on any unescaped markup
    expect(plain).toContain('<script>alert(1)</script> & <b>x</b>');
    expect(plain).not.toMatch(/@everyone/);
    expect(plain).toContain('@\u2060everyone');
    expect(escapeHtml('a"b')).toBe('a&quot;b');
  });

  it('shows user backticks as typed: only option and command names a command quoted become code (issue 10 #10)', () => {
    const reply: Reply = {
      title: 'x',
      lines: [
        'There is no /`rm -rf` or `@everyone` here.',
        '`price` must be a number from 1 to 10,000,000 (got "`cheap`")',
        '`/price` has no option `foo`; it takes: currency',
      ],
      sections: [],
      footer: [],
      tone: 'error',
    };
    const { html } = renderTelegram(reply);
    expect(html).toContain('There is no /`rm -rf` or `@\u2060everyone` here.');
    expect(html).toContain('<code>price</code> must be a number from 1 to 10,000,000 (got &quot;`cheap`&quot;)');
    expect(html).toContain('<code>/price</code> has no option <code>foo</code>; it takes: currency');
    expect(html.match(/<code>/g)).toHaveLength(3);
  });

  it('property: any text renders to HTML Telegram accepts, with the text intact', () => {
    fc.assert(
      // Quotes are left out here: text inside "quotes" is an echoed value and keeps its backticks (tested above).
      fc.property(
        fc.string(),
        fc.string().filter((s) => !s.includes('"')),
        (title, line) => {
          const { html } = renderTelegram({ title, lines: [line], sections: [], footer: [], tone: 'neutral' });
          const plain = parseTelegramHtml(html);
          // Only a quoted option or command name becomes code (and loses its backticks); any other text is literal.
          const shown = line.replace(/`([^`\n]+)`/g, (span, inner: string) => (/^\/?[a-z][a-z0-9_-]{0,31}$/i.test(inner) ? inner : span));
          expect(plain.replace(/\u2060/g, '')).toContain(shown);
        },
      ),
    );
  });

  it('turns buttons into an inline keyboard of compact callback data', () => {
    const buttons = ['1w', '1m', '3m', '6m', '1y'].map((p) => ({ label: p, command: 'hashrate', args: { period: p } }));
    const { keyboard } = renderTelegram({ ...base, buttons });
    expect(keyboard?.inline_keyboard.map((r) => r.length)).toEqual([4, 1]);
    const first = keyboard!.inline_keyboard[0]![0] as { text: string; callback_data: string };
    expect(first).toEqual({ text: '1w', callback_data: '1 hashrate period=1w' });
  });
});

describe('callback data', () => {
  it('round-trips command and arguments', () => {
    const data = encodeCallback('price', { currency: 'EUR', window: '1m' })!;
    expect(decodeCallback(data)).toEqual({ command: 'price', args: { currency: 'EUR', window: '1m' } });
  });

  it('refuses what cannot fit in 64 bytes or carries unsafe characters', () => {
    expect(encodeCallback('hashprice', { a: 'x'.repeat(40), b: 'y'.repeat(40) })).toBeUndefined();
    expect(encodeCallback('price', { currency: 'a b' })).toBeUndefined();
    expect(encodeCallback('Price!', {})).toBeUndefined();
  });

  it('rejects forged or garbled data without throwing', () => {
    for (const bad of [
      '',
      'garbage',
      '2 price',
      '1 ',
      '1 price currency',
      '1 price =x',
      '1 price a=1 a=2',
      '1 price a=<b>',
      'x'.repeat(65),
      42,
      null,
    ]) {
      expect(decodeCallback(bad)).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const d = decodeCallback(s);
        if (d) expect(encodeCallback(d.command, d.args)).toBe(s);
      }),
    );
  });
});

describe('splitting', () => {
  it('keeps short text whole and splits long text at line boundaries', () => {
    expect(splitHtml('<b>a</b>', 10)).toEqual(['<b>a</b>']);
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i}: <b>${'x'.repeat(20)}</b>`);
    const parts = splitHtml(lines.join('\n'), 4096);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(4096);
      expect(p.startsWith('line ')).toBe(true); // every part starts at a line start
      parseTelegramHtml(p);
    }
    expect(parts.join('\n')).toBe(lines.join('\n'));
  });

  it('property: parts fit, parse on their own, and lose nothing', () => {
    const word = fc.oneof(
      fc.constantFrom('a', 'bb', 'ccc ddd', '😀', '&amp;', '&lt;', '\n', ' '),
      fc.string({ maxLength: 12 }).map((s) => `<b>${escapeHtml(s)}</b>`),
      fc.string({ maxLength: 30 }).map((s) => `<i>x <code>${escapeHtml(s)}</code> y</i>`),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 200 }), fc.integer({ min: 40, max: 200 }), (words, limit) => {
        const html = words.join('');
        const parts = splitHtml(html, limit);
        for (const p of parts) expect(p.length).toBeLessThanOrEqual(limit);
        const plain = parts.map((p) => parseTelegramHtml(p)).join('');
        expect(nonSpace(plain)).toBe(nonSpace(parseTelegramHtml(html)));
      }),
    );
  });

  it('never cuts a surrogate pair in plain text', () => {
    const text = '😀'.repeat(50);
    const parts = splitLines(text, 9);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(9);
    expect(parts.join('')).toBe(text);
    expect(parts.every((p) => !/[\uD800-\uDBFF]$/.test(p))).toBe(true);
  });
});
