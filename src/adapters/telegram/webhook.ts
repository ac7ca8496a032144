/**
 * Webhook mode (TELEGRAM_WEBHOOK_URL set): a local HTTP listener behind the operator's proxy or load
 * balancer, and the webhook registered with Telegram for the update types the bot handles.
 *
 * Several instances run this, each on its own port behind one public URL, whatever their role: any
 * of them answers the update it is handed. Each registers the webhook at start. The Bot API server
 * (tdlib/telegram-bot-api, telegram-bot-api/Client.cpp, process_set_webhook_query) makes that safe:
 * - the same URL, secret, allowed_updates and no drop_pending_updates answers true with "Webhook is
 *   already set" and changes nothing (no updates dropped, no delivery restarted); a changed secret
 *   does take effect, which skipping on an equal getWebhookInfo URL would miss (getWebhookInfo never
 *   shows the secret);
 * - but a setWebhook within a second of another is answered 429 retry_after 1, and one arriving while
 *   another is being applied ends that one with 409 "Conflict: terminated by other setWebhook": an
 *   instance starting beside another waits and asks again, and then meets "already set".
 * Nothing here ever deletes the webhook: stopping one instance must not deafen the others.
 */
import { createServer, type Server } from 'node:http';
import { TelegramError, type Telegraf } from 'telegraf';
import type { Config } from '../../config.ts';

type AllowedUpdates = NonNullable<NonNullable<Parameters<Telegraf['telegram']['setWebhook']>[1]>['allowed_updates']>;

/** Enough for a handful of instances starting in the same second; a persistent refusal still fails start-up. */
const SET_WEBHOOK_ATTEMPTS = 6;

export async function listenForWebhook(bot: Telegraf, config: Config, url: URL, allowedUpdates: AllowedUpdates): Promise<Server> {
  // telegraf answers 403 to any request without the right secret token or path.
  const server = createServer(bot.webhookCallback(`${url.pathname}${url.search}`, { secretToken: config.TELEGRAM_WEBHOOK_SECRET }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.TELEGRAM_WEBHOOK_PORT, () => resolve());
  });
  try {
    await setWebhook(bot, url, config.TELEGRAM_WEBHOOK_SECRET, allowedUpdates);
  } catch (err) {
    server.close();
    throw err;
  }
  return server;
}

async function setWebhook(bot: Telegraf, url: URL, secret: string | undefined, allowedUpdates: AllowedUpdates): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await bot.telegram.setWebhook(url.href, { secret_token: secret, allowed_updates: allowedUpdates });
      return;
    } catch (err) {
      const crowded = err instanceof TelegramError && (err.code === 429 || err.code === 409);
      if (!crowded || attempt >= SET_WEBHOOK_ATTEMPTS) throw err;
      const waitSec = err.parameters?.retry_after ?? 1;
      await new Promise((resolve) => setTimeout(resolve, waitSec * 1000));
    }
  }
}
