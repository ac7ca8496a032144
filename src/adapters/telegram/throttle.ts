/** At most once per key per interval (a chat's "typing…", a chat's "slow down"). */

const FORGET_ABOVE = 10_000;

export class Throttle {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly everyMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True (and counts this time) when the key's last allowed time is at least `everyMs` ago. */
  allow(key: string): boolean {
    const now = this.now();
    const last = this.last.get(key);
    if (last !== undefined && now - last < this.everyMs) return false;
    // Bounded memory: forgetting everyone at worst allows one extra per key.
    if (this.last.size >= FORGET_ABOVE) this.last.clear();
    this.last.set(key, now);
    return true;
  }
}
