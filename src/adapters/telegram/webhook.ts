/**
 * Webhook mode (TELEGRAM_WEBHOOK_URL set): a local HTTP listener behind the operator's proxy, and
 * the webhook registered with Telegram for the update types the bot handles.
 */
import { createServer, type Server } from 'node:http';
import type { Telegraf } from 'telegraf';
import type { Config } from '../../config.ts';

type AllowedUpdates = NonNullable<NonNullable<Parameters<Telegraf['telegram']['setWebhook']>[1]>['allowed_updates']>;

export async function listenForWebhook(bot: Telegraf, config: Config, url: URL, allowedUpdates: AllowedUpdates): Promise<Server> {
  // telegraf answers 403 to any request without the right secret token or path.
  const server = createServer(bot.webhookCallback(`${url.pathname}${url.search}`, { secretToken: config.TELEGRAM_WEBHOOK_SECRET }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.TELEGRAM_WEBHOOK_PORT, () => resolve());
  });
  try {
    await bot.telegram.setWebhook(url.href, { secret_token: config.TELEGRAM_WEBHOOK_SECRET, allowed_updates: allowedUpdates });
  } catch (err) {
    server.close();
    throw err;
  }
  return server;
}
