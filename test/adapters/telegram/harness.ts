/** Starts the real Telegram adapter (real telegraf) against the local Bot API stand-in. */
import { createServer } from 'node:net';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import type { Command, CommandContext } from '../../../src/core/command.ts';
import type { Market } from '../../../src/core/market.ts';
import { startTelegram, type TelegramBot, type TelegramTiming } from '../../../src/adapters/telegram/index.ts';
import type { Logger } from '../../../src/logger.ts';
import type { LeaderSignal } from '../../../src/core/leadership.ts';
import type { FakeTelegram } from '../../fakes/telegram.ts';

export async function startBot(
  fake: FakeTelegram,
  commands: readonly Command[],
  opts: {
    market?: Market;
    env?: Record<string, string>;
    now?: () => number;
    answerCallbackAfterMs?: number;
    timing?: Partial<TelegramTiming>;
    logger?: Logger;
    leader?: LeaderSignal;
  } = {},
): Promise<TelegramBot> {
  const config = loadConfig({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, LOG_LEVEL: 'silent', ...opts.env });
  const market = opts.market ?? ({} as Market);
  return startTelegram({
    config,
    logger: opts.logger ?? silentLogger,
    commands,
    ...(opts.timing ? { timing: opts.timing } : {}),
    ...(opts.leader ? { leader: opts.leader } : {}),
    ...(opts.answerCallbackAfterMs !== undefined ? { answerCallbackAfterMs: opts.answerCallbackAfterMs } : {}),
    makeContext: ({ user, chat }): CommandContext => ({
      market,
      now: opts.now ?? (() => Date.now()),
      platform: 'telegram',
      version: 'test',
      user,
      chat,
      services: {},
    }),
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
