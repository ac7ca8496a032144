/**
 * The stateful services commands may use, as ports: core declares them, src/alerts, src/digests, src/store
 * and main implement and fill them in. Commands and core/run see only these interfaces, so core
 * never imports the layers above it.
 */
import type { DeliveryPlatform } from './delivery.ts';
import type { Benchmarks } from './metrics/benchmarks.ts';
import type { Prefs, Settings } from './prefs.ts';
import type { Reply, ReplyChart } from './reply.ts';

export interface AlertUser {
  platform: string;
  id: string;
  name?: string;
}

/** An alert rule as typed, word by word, before parsing (/alert add subject condition value window). */
export interface RuleWords {
  subject?: string;
  condition?: string;
  value?: string;
  window?: string;
}

export interface AlertCommands {
  add(user: AlertUser, words: RuleWords, cooldownMinutes?: number): Promise<Reply>;
  list(user: AlertUser): Promise<Reply>;
  remove(user: AlertUser, ruleId: number): Promise<Reply>;
  pause(user: AlertUser, ruleId: number): Promise<Reply>;
  resume(user: AlertUser, ruleId: number): Promise<Reply>;
}

export interface DigestRequest {
  platform: DeliveryPlatform;
  user?: { id: string; name?: string };
  chat?: { id: string; kind: 'private' | 'group' | 'channel'; postable?: boolean; isAdmin(): Promise<boolean> };
  time?: string;
  timezone?: string;
}

export interface DigestCommands {
  /** In a group/channel: that chat (admins only). In a private chat: the asker's DM. */
  subscribe(req: DigestRequest): Promise<Reply>;
  unsubscribe(req: DigestRequest): Promise<Reply>;
  /** The asker's DM, from anywhere. */
  subscribeDm(req: DigestRequest): Promise<Reply>;
  preview(req: DigestRequest): Promise<Reply>;
}

export interface AccountUser {
  platform: string;
  id: string;
}

/** How much is stored about one person, counted per kind (what /forget asks about and deletes). */
export interface UserData {
  /** Their alert rules (with each rule's evaluation state). */
  rules: number;
  ruleIds: number[];
  /** Their daily digest by direct message (0 or 1: one schedule per chat). */
  dmDigests: number;
  /** Messages to them not sent yet (queued or in flight). */
  queued: number;
  /** The record of messages already sent to them (or given up on): what was said, and when. */
  delivered: number;
  /** Channel digests they set up: these stay with the channel; only their id is taken off them. */
  channelDigests: number;
  /** Their /settings (currency, time zone, /profit defaults): 0 or 1. Chat settings stay with the chat. */
  settings: number;
  /** Their user record (platform id, display name, first-seen time). */
  account: number;
}

export type SettingsScope = 'user' | 'chat';
/** A user (with their display name) or a chat (with `by`, the platform id of the admin changing it). */
interface SettingsSubject {
  platform: string;
  id: string;
  name?: string;
  by?: string;
}

/** Stored /settings, per user and per chat (the store's settings repository is one). */
export interface SettingsStore {
  /** What is stored for the user (platform + their id) or the chat, only the fields set. */
  get(scope: SettingsScope, platform: string, id: string): Promise<Settings>;
  /** Sets the given fields, keeps the others; returns what is stored afterwards. */
  set(scope: SettingsScope, who: SettingsSubject, patch: Settings, nowMs: number): Promise<Settings>;
  /** Forgets every field; false when nothing was stored. */
  reset(scope: SettingsScope, platform: string, id: string): Promise<boolean>;
  /** The settings in effect for one command: the user's over the chat's over the defaults. */
  prefsFor(platform: string, userId: string | undefined, chatId: string | undefined): Promise<Prefs>;
}

export interface AccountService {
  /** What is stored about this person (for /forget's question). */
  dataOf(user: AccountUser): Promise<UserData>;
  /** Deletes it all in one transaction; their rules stop being evaluated at once. */
  forget(user: AccountUser): Promise<UserData>;
  /**
   * Called before every command. A command sent in a direct message proves the bot can write
   * there again (a Telegram user cannot write to a bot they blocked; a Discord DM needs a shared
   * server), so deliveries paused by a failed DM resume. Returns what to tell them, if anything.
   * A command in a group proves nothing about their DMs, so nothing changes there.
   */
  welcomeBack(user: AccountUser, chatKind: 'private' | 'group' | 'channel' | undefined): Promise<string[]>;
}

/** Stored metric snapshots, for charts (the store's snapshot repository is one). */
export interface SnapshotReader {
  /** Rows with fromSec <= tsSec <= toSec, oldest first. */
  range(metric: string, fromSec: number, toSec: number): Promise<{ tsSec: number; value: number; source: string }[]>;
}

/**
 * How one command ended: answered, or why not. `upstream` is "data unavailable"; `failed` is our
 * own fault (a bug); `unknown`, `invalid` and `refused` never ran the command.
 */
export type CommandOutcome = 'ok' | 'unknown' | 'invalid' | 'refused' | 'upstream' | 'failed';

/** Told about every command the bot answers (the operator's counters); must not throw. */
export interface CommandObserver {
  /** `command` is a known command's name, or '' for a name that is none (no typed text becomes a label). */
  answered(command: string, platform: string, outcome: CommandOutcome): void;
}

/** Stateful services some commands need; filled in by main (and the CLI), each absent where it cannot be had. */
export interface CommandServices {
  /** Personal alert rules (/alert); absent where there is no store (e.g. one-shot CLI runs). */
  alerts?: AlertCommands;
  /** Daily digest subscriptions (/digest subscribe…); absent where there is no store. */
  digests?: DigestCommands;
  /** A person's data as a whole (/forget; paused deliveries resumed when they write again). */
  account?: AccountService;
  /** Stored metric snapshots; charts fall back to the market's history endpoints without them. */
  historyStore?: SnapshotReader;
  /** The cited defaults with the operator's overrides (AI_LEASE_USD_PER_MW_YEAR, REFERENCE_POWER_USD_PER_KWH). */
  benchmarks?: Benchmarks;
  /** The digest's last chart, shared by /digest and the scheduled digests; absent: rendered each time. */
  digestCharts?: ChartCache;
  /** Stored /settings; absent where there is no store (one-shot CLI runs use USD and UTC). */
  settings?: SettingsStore;
  /** Counts answered commands for the operator; absent where nobody watches (one-shot CLI runs). */
  observe?: CommandObserver;
}

/** Keeps the last rendered chart under a key, so the same picture is not drawn again for every asker. */
export interface ChartCache {
  get(key: string, render: () => Promise<ReplyChart>): Promise<ReplyChart>;
}
