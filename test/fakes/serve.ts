/**
 * Runs the fake mempool on its own, to try the bot by hand with no internet:
 *   npx tsx test/fakes/serve.ts   (prints the env lines to use, then serves until Ctrl-C)
 */
import { startFakeMempool } from './mempool.ts';

const fake = await startFakeMempool({ port: Number(process.env.PORT ?? 0) });
process.stdout.write(`MEMPOOL_API_URL=${fake.apiUrl}\nPRICE_FALLBACK_URL=${fake.priceFallbackUrl}\nCHAIN_FALLBACK_URL=${fake.chainFallbackUrl}\n`);
const stop = () => void fake.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
