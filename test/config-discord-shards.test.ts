/**
 * DISCORD_SHARDS / DISCORD_SHARD_COUNT: which gateway shards this process runs. A wrong value must
 * stop start-up with one line naming the variable, never connect with a shard set Discord refuses.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const shardsOf = (env: Record<string, string | undefined>) => {
  const cfg = loadConfig(env);
  return { shards: cfg.DISCORD_SHARDS, count: cfg.DISCORD_SHARD_COUNT };
};

describe('DISCORD_SHARDS and DISCORD_SHARD_COUNT', () => {
  it.each([{}, { DISCORD_SHARDS: '' }, { DISCORD_SHARDS: 'auto' }, { DISCORD_SHARDS: ' AUTO ' }])(
    '%j means auto: as many shards as Discord recommends, all in this process',
    (env) => {
      expect(shardsOf(env)).toEqual({ shards: 'auto', count: undefined });
    },
  );

  it.each([
    ['0-1', '2', [0, 1]],
    ['1', '2', [1]],
    ['2,3', '4', [2, 3]],
    [' 4 - 5 , 0 ,2-3, 3', '8', [0, 2, 3, 4, 5]],
  ])('reads the list %j of %s shards as the ids %j', (shards, count, ids) => {
    expect(shardsOf({ DISCORD_SHARDS: shards, DISCORD_SHARD_COUNT: count })).toEqual({ shards: ids, count: Number(count) });
  });

  it.each([
    [{ DISCORD_SHARDS: 'two', DISCORD_SHARD_COUNT: '2' }, /^DISCORD_SHARDS: expected auto, or shard ids and ranges such as 0-1 or 2,3$/],
    [{ DISCORD_SHARDS: '0,,1', DISCORD_SHARD_COUNT: '2' }, /^DISCORD_SHARDS: expected auto, or shard ids/],
    [{ DISCORD_SHARDS: '-1', DISCORD_SHARD_COUNT: '2' }, /^DISCORD_SHARDS: expected auto, or shard ids/],
    [{ DISCORD_SHARDS: '0.5', DISCORD_SHARD_COUNT: '2' }, /^DISCORD_SHARDS: expected auto, or shard ids/],
    [{ DISCORD_SHARDS: '0-', DISCORD_SHARD_COUNT: '2' }, /^DISCORD_SHARDS: expected auto, or shard ids/],
    [{ DISCORD_SHARDS: '3-1', DISCORD_SHARD_COUNT: '4' }, /^DISCORD_SHARDS: a range runs from the lower shard id to the higher/],
    [{ DISCORD_SHARDS: '0-99999999', DISCORD_SHARD_COUNT: '2' }, /^DISCORD_SHARDS: expected shard ids below 100000$/],
    [{ DISCORD_SHARDS: '0-1' }, /^DISCORD_SHARD_COUNT: required with a DISCORD_SHARDS list/],
    [
      { DISCORD_SHARDS: '1,2', DISCORD_SHARD_COUNT: '2' },
      /^DISCORD_SHARDS: shard 2 does not exist with DISCORD_SHARD_COUNT=2 \(ids run from 0 to 1\)$/,
    ],
    [{ DISCORD_SHARDS: '0', DISCORD_SHARD_COUNT: '0' }, /^DISCORD_SHARD_COUNT: expected a whole number from 1 to 100000$/],
    [{ DISCORD_SHARDS: '0', DISCORD_SHARD_COUNT: 'two' }, /^DISCORD_SHARD_COUNT: expected a whole number/],
    [{ DISCORD_SHARD_COUNT: '4' }, /^DISCORD_SHARD_COUNT: only with a DISCORD_SHARDS list .*set DISCORD_SHARDS=0-3\)$/],
    [{ DISCORD_SHARDS: 'auto', DISCORD_SHARD_COUNT: '2' }, /^DISCORD_SHARD_COUNT: only with a DISCORD_SHARDS list/],
  ])('refuses %j with one line naming what to fix', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
