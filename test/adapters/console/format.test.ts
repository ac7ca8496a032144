import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src/core/reply.ts';
import { displayWidth, renderText, stripControls } from '../../../src/adapters/console/format.ts';

const reply = (over: Partial<Reply>): Reply => ({ title: 'Fees', sections: [], footer: [], tone: 'neutral', ...over });

describe('terminal text rendering', () => {
  it('strips C0/C1 controls from upstream strings, keeping newlines and tabs (issue 10 #9)', () => {
    // A pool name as an upstream could send it: retitle the window (OSC 0 … BEL), then clear it (CSI 2J).
    const pool = 'Evil\u001b]0;owned\u0007Pool\u001b[2J\u009b31m';
    const text = renderText(
      reply({ title: `Pools ${pool}`, sections: [{ fields: [{ label: pool, value: `${pool} 31.3 %` }] }], footer: ['a\tb', 'c\rd'] }),
    );
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('Pools Evil]0;ownedPool[2J31m');
    expect(text).toContain('a\tb\ncd');
    expect(stripControls('x\u0000\u001f\u007f\u0080\u009fy\n\tz')).toBe('xy\n\tz');
  });

  it('underlines the title exactly as wide as it is drawn (issue 9 §3: the /fees underline was 8 for 4 letters)', () => {
    expect(renderText(reply({})).split('\n').slice(0, 2)).toEqual(['Fees', '────']);
    expect(renderText(reply({ title: 'Help', tone: 'error' })).split('\n')[1]).toBe('──────'); // "✖ Help"
    // Two columns per CJK character and per emoji; none for a combining accent.
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('⛏️ Digest')).toBe(9);
    expect(displayWidth('Cafe\u0301')).toBe(4);
    expect(renderText(reply({ title: '⛏️ Digest' })).split('\n')[1]).toBe('─'.repeat(9));
  });

  it('aligns values after wide labels by display width', () => {
    const text = renderText(
      reply({
        sections: [
          {
            fields: [
              { label: '日本', value: 'x' },
              { label: 'abcd', value: 'y' },
            ],
          },
        ],
      }),
    );
    expect(text).toContain('  日本  x\n  abcd  y');
  });
});
