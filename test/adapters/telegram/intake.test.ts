/** Bounded update handling: one at a time per chat, a cap overall, a per-chat queue bound. */
import { describe, expect, it } from 'vitest';
import { Intake, type Overflow } from '../../../src/adapters/telegram/intake.ts';

function harness(perChat: number, running: number) {
  const overflows: Overflow[] = [];
  const floodsOver: Overflow[] = [];
  const intake = new Intake(
    { perChat, running },
    (o) => overflows.push({ ...o }),
    (o) => floodsOver.push({ ...o }),
  );
  let now = 0;
  let peak = 0;
  const order: string[] = [];
  const gates: (() => void)[] = [];
  const job = (label: string) => async () => {
    now++;
    peak = Math.max(peak, now);
    order.push(label);
    await new Promise<void>((resolve) => gates.push(resolve));
    now--;
  };
  const openAll = async () => {
    while (gates.length) {
      for (const g of gates.splice(0)) g();
      await new Promise((r) => setTimeout(r, 0));
    }
    await intake.settled();
  };
  return { intake, overflows, floodsOver, job, openAll, order, peak: () => peak };
}

describe('Intake', () => {
  it('runs at most `running` updates at once overall and one at a time per chat, in order', async () => {
    const h = harness(10, 2);
    for (const chat of ['a', 'b', 'c']) for (let i = 1; i <= 3; i++) h.intake.push(chat, h.job(`${chat}${i}`));
    await h.openAll();
    expect(h.peak()).toBe(2);
    expect(h.order).toHaveLength(9);
    for (const chat of ['a', 'b', 'c']) expect(h.order.filter((l) => l.startsWith(chat))).toEqual([`${chat}1`, `${chat}2`, `${chat}3`]);
  });

  it('drops what comes beyond the per-chat bound and reports the flood once it is over', async () => {
    const h = harness(2, 8);
    // 1 runs at once, 2 wait, 7 are dropped.
    const accepted = Array.from({ length: 10 }, (_, i) => h.intake.push('x', h.job(`x${i}`)));
    expect(accepted.filter(Boolean)).toHaveLength(3);
    expect(h.overflows.map((o) => o.dropped)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    h.intake.push('y', h.job('y0')); // another chat is not affected
    await h.openAll();
    expect(h.order).toEqual(['x0', 'y0', 'x1', 'x2']);
    expect(h.floodsOver).toEqual([{ chatId: 'x', dropped: 7 }]);
  });

  it('on close drops what has not started and reports it per chat', () => {
    const h = harness(5, 1);
    for (let i = 0; i < 3; i++) h.intake.push('p', h.job('p'));
    h.intake.push('q', h.job('q'));
    expect(h.intake.runningChats()).toEqual(['p']);
    expect(h.intake.close()).toEqual(
      new Map([
        ['p', 2],
        ['q', 1],
      ]),
    );
    expect(h.intake.push('p', h.job('late'))).toBe(false);
  });
});
