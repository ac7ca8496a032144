/**
 * Runs the fake mempool on its own, to try the bot by hand with no internet:
 *   npx tsx test/fakes/serve.ts   (prints the env lines to use, then serves until Ctrl-C)
 *   EDGES=nodeDown,priceFeedDown npx tsx test/fakes/serve.ts   (mempool's own troubles, see Edge)
 */
import { startFakeMempool, type Edge } from './mempool.ts';

const EDGES: readonly Edge[] = ['nodeDown', 'priceFeedDown', 'placeholders'];
const fake = await startFakeMempool({ port: Number(process.env.PORT ?? 0) });
for (const edge of (process.env.EDGES ?? '')
  .split(',')
  .map((e) => e.trim())
  .filter(Boolean)) {
  if (!EDGES.includes(edge as Edge)) throw new Error(`EDGES: unknown edge "${edge}" (known: ${EDGES.join(', ')})`);
  fake.setEdge(edge as Edge, true);
}
process.stdout.write(
  `MEMPOOL_API_URL=${fake.apiUrl}\nPRICE_FALLBACK_URL=${fake.priceFallbackUrl}\nCHAIN_FALLBACK_URL=${fake.chainFallbackUrl}\n`,
);
const stop = () => void fake.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
