import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { runCommand } from '../../src/core/run.ts';
import { CATALOG, METRIC_IDS } from '../../src/core/metrics/catalog.ts';
import { stubMarket } from '../market-data/stub-market.ts';

describe('/about', () => {
  it('still names its sources and formulas, and lists every metric of the catalog with where to use it', async () => {
    const nowSec = Date.UTC(2025, 3, 1, 15) / 1000;
    const reply = await runCommand(commands, 'about', {}, { market: stubMarket(nowSec), now: () => nowSec * 1000, platform: 'console', version: 'test', services: {} });
    expect(reply.title).toBe('hashwatch test');
    expect(reply.sections.map((s) => s.title)).toEqual(['Sources', 'Freshness', 'Metrics watched and recorded']);
    expect(reply.sections[0]!.fields.map((f) => f.label)).toEqual(['mempool.space API (primary)', 'Coinbase (fallback)', 'blockchain.info (fallback)']);
    const metrics = reply.sections[2]!.fields;
    expect(metrics.map((f) => f.label)).toEqual(METRIC_IDS.map((id) => CATALOG[id].label));
    const line = (id: keyof typeof CATALOG) => metrics.find((f) => f.label === CATALOG[id].label)!.value;
    expect(line('hashprice_btc')).toBe('in BTC/PH/day; /alert add hashprice_btc, /chart hashprice-btc');
    expect(line('hashrate')).toBe('in EH/s; /alert add hashrate');
    expect(line('hashrate_daily')).toBe('in EH/s; /chart hashrate');
    expect(line('nakamoto')).toBe('in pools; /alert add nakamoto');
  });
});
