import { describe, expect, it } from 'vitest';
import { historyFromMarket } from '../../src/market-data/from-market.ts';
import { loadHashpriceHistory } from '../../src/market-data/history.ts';
import { stubMarket } from './stub-market.ts';

describe('one hashprice history', () => {
  it('gives /hashprice and the charts the same days, the oldest included (the difficulty reaches back past the period)', async () => {
    const nowSec = Date.UTC(2025, 3, 1, 15) / 1000;
    const market = stubMarket(nowSec);
    const forCommands = await loadHashpriceHistory(market);
    const forCharts = await historyFromMarket(market, 'hashprice', '3y');
    // The commands leave out today's unfinished day; otherwise the series are the same, day for day.
    expect(forCommands.usd).toEqual(forCharts.points.slice(0, -1));
    expect(forCommands.usd.length).toBeGreaterThan(1000);
    const btc = await historyFromMarket(market, 'hashprice_btc', '3y');
    expect(forCommands.btc).toEqual(btc.points.slice(0, -1));
  });
});
