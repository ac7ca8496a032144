/** Shared by the /halving and /site tests: one reply checked in the terminal, Telegram and Discord renderings. */
import { expect } from 'vitest';
import type { Reply } from '../../src/core/reply.ts';
import { EMBED_LIMITS, escapeDiscord, renderDiscord } from '../../src/adapters/discord/format.ts';
import { renderTelegram, splitHtml, TEXT_LIMIT } from '../../src/adapters/telegram/format.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { parseTelegramHtml } from '../fakes/telegram.ts';

// Seven minutes after the tip block (1743541240 s), as in the other command tests.
export const NOW = (1743541240 + 7 * 60) * 1000;

/** Every rendering carries each figure, Telegram fits one message and Discord needs no truncation. */
export function expectOnEverySurface(reply: Reply, figures: string[]): void {
  const text = renderText(reply);
  const { html } = renderTelegram(reply);
  const telegram = parseTelegramHtml(html);
  const discord = renderDiscord(reply, NOW);
  const embed = discord.embeds[0]!;
  const discordText = [embed.title, embed.description, ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]), embed.footer?.text].join(
    '\n',
  );
  for (const figure of figures) {
    expect(text).toContain(figure);
    expect(telegram).toContain(figure);
    expect(discordText).toContain(escapeDiscord(figure));
  }
  expect(html.length).toBeLessThanOrEqual(TEXT_LIMIT);
  expect(splitHtml(html)).toHaveLength(1);
  // Nothing cut: the description is every line, every field is there, and the embed is under 6,000.
  expect(embed.description).toBe((reply.lines ?? []).map(escapeDiscord).join('\n'));
  expect(embed.fields).toHaveLength(reply.sections.reduce((n, s) => n + s.fields.length + (s.title ? 1 : 0), 0));
  expect(embed.fields!.length).toBeLessThanOrEqual(EMBED_LIMITS.fields);
  const total =
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    embed.fields!.reduce((n, f) => n + f.name.length + f.value.length, 0);
  expect(total).toBeLessThanOrEqual(EMBED_LIMITS.total);
  expect(discord.allowedMentions).toEqual({ parse: [] });
}
