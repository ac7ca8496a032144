/**
 * Which gateway shards this process runs (DISCORD_SHARDS / DISCORD_SHARD_COUNT), as discord.js 14
 * Client options: `shards` is 'auto' or the ids to run here, `shardCount` the total over all
 * processes (https://discord.js.org/docs/packages/discord.js/stable/ClientOptions:Interface;
 * discord.js src/util/Options.js). With 'auto' discord.js asks GET /gateway/bot for Discord's
 * recommended count and runs every shard in this one client.
 */
import type { ClientOptions } from 'discord.js';
import type { Config } from '../../config.ts';

type ShardConfig = Pick<Config, 'DISCORD_SHARDS' | 'DISCORD_SHARD_COUNT'>;

export function shardOptions(config: ShardConfig): Pick<ClientOptions, 'shards' | 'shardCount'> {
  // 'auto' rather than unset: unset, discord.js reads SHARDS from the environment (how its own
  // ShardingManager talks to children) and otherwise runs shard 0 of 1.
  if (config.DISCORD_SHARDS === 'auto') return { shards: 'auto' };
  return { shards: [...config.DISCORD_SHARDS], shardCount: config.DISCORD_SHARD_COUNT };
}

/**
 * Slash commands belong to the application, not to a shard, so one process must register them. The
 * one running shard 0 is that process: every bot has a shard 0 (with `auto` it is this process), a
 * valid deployment runs it in exactly one place, and no other coordination is needed. It is also the
 * shard Discord sends DMs to.
 */
export function registersCommands(config: ShardConfig): boolean {
  return config.DISCORD_SHARDS === 'auto' || config.DISCORD_SHARDS.includes(0);
}
