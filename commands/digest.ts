import { defineCommand, type CommandContext } from '../src/core/command.ts';
import { digestReply } from '../src/core/digest.ts';
import { footerFor } from '../src/core/freshness.ts';
import type { Reply } from '../src/core/reply.ts';
import { loadHeadline } from '../src/data/headline.ts';
import { digestAction, digestOptions } from '../src/scheduler/digest-command.ts';

/** The digest as posted to channels and DMs; also what /digest shows on demand. */
export async function buildDigest(ctx: Pick<CommandContext, 'market' | 'now'>): Promise<Reply> {
  const { headline, provenance, warnings } = await loadHeadline(ctx.market, ctx.now());
  return digestReply(headline, footerFor(provenance, ctx.now(), { height: headline.height, timestampSec: headline.tipTimeSec }), warnings);
}

export default defineCommand({
  name: 'digest',
  description: 'The daily mining digest: headline numbers, their changes and what stands out',
  options: digestOptions,
  examples: ['/digest', '/digest subscribe 14:00 Europe/Berlin', '/digest dm 08:00 UTC', '/digest unsubscribe', '/digest preview'],
  run: (ctx, args) => digestAction(ctx, args, () => buildDigest(ctx)),
});
