/**
 * How every Discord REST client of this bot is configured: DISCORD_API_URL as the base (a proxy or a
 * local stand-in), Node's own fetch for transport, and which rate limits to wait out.
 */
import type { RateLimitData, ResponseLike, RESTOptions } from 'discord.js';
import type { Config } from '../../config.ts';

/**
 * discord.js waits out short rate limits itself; longer ones are surfaced (RateLimitError) so an
 * outbox send can be rescheduled instead of holding a request open.
 */
const WAIT_AT_MOST_MS = 5_000;

/**
 * Each REST attempt ends within this; a timed-out or 5xx request is tried once more, so a call
 * settles within about 20 s and a hung send cannot hold an outbox slot or a shutdown.
 */
export const CALL_TIMEOUT_MS = 10_000;
const RETRIES = 1;

export function restOptions(config: Config): Partial<RESTOptions> {
  return {
    api: config.DISCORD_API_URL,
    // @discordjs/rest's default transport is its own undici 6, which sends through the process-wide
    // dispatcher; once the project's undici 7 has installed that dispatcher, multipart uploads
    // (charts) fail with "action is not a function". Node's fetch serialises the form itself.
    makeRequest: (url, init) => fetch(url, init as RequestInit) as Promise<unknown> as Promise<ResponseLike>,
    rejectOnRateLimit: (r: RateLimitData) => r.retryAfter > WAIT_AT_MOST_MS,
    timeout: CALL_TIMEOUT_MS,
    retries: RETRIES,
  };
}
