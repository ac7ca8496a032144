/**
 * A local stand-in for Discord: the REST routes discord.js uses and a WebSocket gateway, on real
 * sockets, so an unmodified discord.js Client can log in (`rest: { api: fake.apiUrl }`) and receive
 * interactions. It is strict where Discord is strict (bot token, embed limits, one acknowledgement
 * per interaction, 3 s to acknowledge, 100-character custom ids) so mistakes fail here, not live.
 *
 * Every REST request is recorded (method, path without the /api/v10 prefix, parsed body, files).
 *
 * The gateway is sharded as Discord's is (https://discord.com/developers/docs/events/gateway#sharding):
 * each session runs the `shard: [id, count]` it sent in IDENTIFY ([0, 1] when omitted), gets READY
 * and GUILD_CREATE only for the guilds with (guild_id >> 22) % count === id, and only the events of
 * those guilds; events without a guild (DMs) go to shard 0. GET /gateway/bot recommends
 * `recommendedShards`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

interface RecordedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  data: Buffer;
}

export interface RecordedRequest {
  method: string;
  /** Path after the API version, e.g. "/interactions/123/tok/callback". */
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body, or the parsed payload_json of a multipart body. */
  body: any;
  files: RecordedFile[];
  authorized: boolean;
  /** The interaction this request answers, when its path names one (callback or webhook token). */
  interactionId?: string;
  at: number;
  /** HTTP status the fake answered with (set before waiters are told). */
  status?: number;
}

export interface FakeUser {
  id: string;
  username: string;
  global_name?: string | null;
}

interface CommandInvocation {
  name: string;
  /** Option values by name; types come from the registered command when there is one. */
  options?: Record<string, string | number | boolean>;
  /** Omit for a DM with the bot. */
  guildId?: string;
  channelId?: string;
  user?: FakeUser;
  /** Member permission bitfield (decimal string), guild only. Defaults to no permissions. */
  memberPermissions?: string;
  /**
   * Run through the asker's own install of the app (user install) instead of a server install:
   * with a guildId, a server the bot is not in; without one, a DM or group DM between users.
   */
  userInstall?: boolean;
}

interface ButtonPress {
  customId: string;
  /** A message the fake stored (a reply it received); its embeds/components are sent along. */
  messageId: string;
  user?: FakeUser;
  guildId?: string;
  channelId?: string;
  memberPermissions?: string;
  userInstall?: boolean;
}

interface AutocompleteRequest {
  name: string;
  focused: string;
  value: string;
  options?: Record<string, string | number>;
  guildId?: string;
  channelId?: string;
  user?: FakeUser;
  userInstall?: boolean;
}

interface DispatchRecord {
  t: string;
  /** [shard id, shard count] of the session that received it. */
  shard: [number, number];
  guildId?: string;
  /** For INTERACTION_CREATE. */
  interactionId?: string;
}

interface StoredMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: any[];
  components: any[];
  attachments: any[];
  flags: number;
}

export interface FakeDiscord {
  apiUrl: string;
  gatewayUrl: string;
  token: string;
  appId: string;
  botUser: FakeUser;
  guildId: string;
  guildChannelId: string;
  requests: RecordedRequest[];
  /** Registered command sets: key "global" or the guild id. */
  registered: Map<string, any[]>;
  messages: Map<string, StoredMessage>;
  /** Number of IDENTIFY and RESUME payloads received. */
  gatewayStats: { identifies: number; resumes: number; heartbeats: number };
  /** Every gateway dispatch, with the shard of the session it went to. */
  dispatched: DispatchRecord[];
  /** Adds a guild (with one text channel) whose id falls on `shard` of `shardCount`; Discord tells its shard. */
  addGuild(placement: { shard: number; shardCount: number }): { guildId: string; channelId: string };
  sendCommand(inv: CommandInvocation): string;
  pressButton(press: ButtonPress): string;
  autocomplete(req: AutocompleteRequest): string;
  waitForRequest(pred: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  requestsFor(interactionId: string): RecordedRequest[];
  /** The message an interaction's reply created (or, for a button, the message it updated). */
  originalMessageId(interactionId: string): string | undefined;
  /** The next `times` requests matching method + path answer with this status and JSON body. */
  failRoute(method: string, path: RegExp, status: number, body: unknown, times?: number): void;
  /** Delay every REST response by this many ms (0 to stop). */
  setDelay(ms: number): void;
  /** Drop the gateway connection without a close handshake, to exercise RESUME. */
  dropGateway(): void;
  /** Open gateway connections that have identified or resumed. */
  gatewayConnections(): number;
  close(): Promise<void>;
}

const ACK_DEADLINE_MS = 3_000;
/** Message flag: only the asker sees it. */
export const EPHEMERAL = 64;

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

const invalidForm = (problems: string[]) => new ApiFailure(400, { code: 50035, message: 'Invalid Form Body', errors: problems });

/** Discord's message limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
export function messageProblems(msg: any): string[] {
  const problems: string[] = [];
  if (typeof msg?.content === 'string' && msg.content.length > 2000) problems.push('content > 2000');
  const embeds: any[] = msg?.embeds ?? [];
  if (embeds.length > 10) problems.push('more than 10 embeds');
  let total = 0;
  for (const e of embeds) {
    const len = (s: unknown) => (typeof s === 'string' ? s.length : 0);
    if (len(e.title) > 256) problems.push('embed title > 256');
    if (len(e.description) > 4096) problems.push('embed description > 4096');
    if (len(e.footer?.text) > 2048) problems.push('embed footer > 2048');
    if (len(e.author?.name) > 256) problems.push('embed author > 256');
    const fields: any[] = e.fields ?? [];
    if (fields.length > 25) problems.push('more than 25 fields');
    for (const f of fields) {
      if (!f.name || len(f.name) > 256) problems.push('field name empty or > 256');
      if (!f.value || len(f.value) > 1024) problems.push('field value empty or > 1024');
    }
    total += len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name);
    total += fields.reduce((n, f) => n + len(f.name) + len(f.value), 0);
    if (e.color !== undefined && (!Number.isInteger(e.color) || e.color < 0 || e.color > 0xffffff)) problems.push('bad colour');
  }
  if (total > 6000) problems.push(`embeds total ${total} > 6000`);
  const rows: any[] = msg?.components ?? [];
  if (rows.length > 5) problems.push('more than 5 action rows');
  for (const row of rows) {
    if (row.type !== 1) problems.push('top-level component is not an action row');
    const items: any[] = row.components ?? [];
    if (items.length > 5) problems.push('more than 5 buttons in a row');
    for (const b of items) {
      if (b.type === 2 && b.style !== 5 && (!b.custom_id || b.custom_id.length > 100)) problems.push('custom_id empty or > 100');
      if (typeof b.label === 'string' && b.label.length > 80) problems.push('button label > 80');
    }
  }
  return problems;
}

/** The shard a guild's events go to (https://discord.com/developers/docs/events/gateway#sharding). */
function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** Every shard count from 1 to 16 divides this, so a guild id built on a multiple of it is on shard 0 for all of them. */
const SHARD_ZERO_FOR_UP_TO_16 = 720_720n;

export async function startFakeDiscord(
  opts: {
    token?: string;
    appId?: string;
    /** What GET /gateway/bot recommends (`shards`). */
    recommendedShards?: number;
    /**
     * session_start_limit.max_concurrency: IDENTIFYs allowed per 5 s; discord.js waits about 5 s between
     * shards of one bucket (shard_id % max_concurrency). 1 for most bots, 16 and more for large ones
     * (https://discord.com/developers/docs/events/gateway#session-start-limit-object).
     */
    maxConcurrency?: number;
  } = {},
): Promise<FakeDiscord> {
  const token = opts.token ?? 'fake-bot-token.discord.test';
  const recommendedShards = opts.recommendedShards ?? 1;
  const maxConcurrency = opts.maxConcurrency ?? 1;
  let nextId = 1_300_000_000_000_000_000n;
  const snowflake = () => String(nextId++);
  // A snowflake's top bits are its creation time, which is what sharding reads (guild_id >> 22); guild
  // ids are built from a clock of their own (ms since 2015, here mid-2024) to land on a chosen shard.
  let guildClock = 400_000n * SHARD_ZERO_FOR_UP_TO_16;
  const guildSnowflake = (shard: number, shardCount: number) => {
    let time = guildClock;
    while (time % BigInt(shardCount) !== BigInt(shard)) time++;
    guildClock = time + 1n;
    return String(time << 22n);
  };
  const appId = opts.appId ?? snowflake();
  const botUser: FakeUser = { id: appId, username: 'hashwatch', global_name: null };
  // The default guild is on shard 0 whatever the shard count (up to 16), as a one-guild bot's is.
  const guildId = guildSnowflake(0, Number(SHARD_ZERO_FOR_UP_TO_16));
  const guildChannelId = snowflake();
  /** Channel of each guild the bot is in. */
  const guilds = new Map<string, string>([[guildId, guildChannelId]]);
  const dispatched: DispatchRecord[] = [];
  const defaultUser: FakeUser = { id: snowflake(), username: 'satoshi', global_name: 'Satoshi' };

  const requests: RecordedRequest[] = [];
  const registered = new Map<string, any[]>();
  const messages = new Map<string, StoredMessage>();
  const waiters: { pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  const failures: { method: string; path: RegExp; status: number; body: unknown; times: number }[] = [];
  const dmChannels = new Map<string, string>();
  /** Channels reached only through a user install: the bot is not a member and cannot post there. */
  const foreignChannels = new Set<string>();
  /** Interaction state by id: token, when it was created, whether acknowledged, its @original message. */
  const interactions = new Map<
    string,
    { token: string; createdAt: number; acked: boolean; channelId: string; guildId?: string; original?: string; sourceMessage?: string }
  >();
  const byToken = new Map<string, string>();
  let delayMs = 0;
  const gatewayStats = { identifies: 0, resumes: 0, heartbeats: 0 };

  const server = createServer((req, res) => void handle(req, res));
  const wss = new WebSocketServer({ server });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const apiUrl = `http://127.0.0.1:${port}/api`;
  const gatewayUrl = `ws://127.0.0.1:${port}`;

  // ---------------------------------------------------------------- REST

  async function readBody(req: IncomingMessage): Promise<{ body: any; files: RecordedFile[] }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const type = req.headers['content-type'] ?? '';
    if (raw.length === 0) return { body: undefined, files: [] };
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      const files: RecordedFile[] = [];
      let body: any;
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') {
          if (field === 'payload_json') body = JSON.parse(value);
        } else {
          const data = Buffer.from(await value.arrayBuffer());
          files.push({ field, filename: value.name, contentType: value.type, size: data.length, data });
        }
      }
      return { body, files };
    }
    return { body: JSON.parse(raw.toString('utf8')), files: [] };
  }

  function message(channelId: string, payload: any, files: RecordedFile[], extra: Partial<StoredMessage> = {}): any {
    const id = snowflake();
    const attachments = files.map((f, i) => ({
      id: snowflake(),
      filename: f.filename,
      size: f.size,
      url: `${apiUrl}/attachments/${id}/${f.filename}`,
      proxy_url: `${apiUrl}/attachments/${id}/${f.filename}`,
      content_type: f.contentType,
      description: payload?.attachments?.[i]?.description,
    }));
    const stored: StoredMessage = {
      id,
      channel_id: channelId,
      content: payload?.content ?? '',
      embeds: payload?.embeds ?? [],
      components: payload?.components ?? [],
      attachments,
      flags: payload?.flags ?? 0,
      ...extra,
    };
    messages.set(id, stored);
    return apiMessage(stored);
  }

  function apiMessage(m: StoredMessage): any {
    return {
      ...m,
      author: { ...botUser, discriminator: '0', avatar: null, bot: true },
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      type: 0,
      application_id: appId,
    };
  }

  function editMessage(id: string, payload: any, files: RecordedFile[]): any {
    const m = messages.get(id);
    if (!m) throw new ApiFailure(404, { code: 10008, message: 'Unknown Message' });
    if (payload?.content !== undefined) m.content = payload.content ?? '';
    if (payload?.embeds !== undefined) m.embeds = payload.embeds ?? [];
    if (payload?.components !== undefined) m.components = payload.components ?? [];
    if (payload?.attachments !== undefined || files.length) {
      // Kept attachments are listed by id; new files replace the rest.
      const keep = new Set((payload?.attachments ?? []).map((a: any) => String(a.id)));
      m.attachments = [
        ...m.attachments.filter((a) => keep.has(String(a.id))),
        ...files.map((f) => ({
          id: snowflake(),
          filename: f.filename,
          size: f.size,
          url: `${apiUrl}/attachments/${id}/${f.filename}`,
          proxy_url: `${apiUrl}/attachments/${id}/${f.filename}`,
          content_type: f.contentType,
        })),
      ];
    }
    return apiMessage(m);
  }

  function interactionByToken(tok: string) {
    const id = byToken.get(tok);
    const state = id ? interactions.get(id) : undefined;
    if (!id || !state) throw new ApiFailure(404, { code: 10015, message: 'Unknown Webhook' });
    return { id, state };
  }

  function checkMessage(payload: any) {
    const problems = messageProblems(payload);
    if (problems.length) throw invalidForm(problems);
  }

  async function route(r: RecordedRequest): Promise<{ status: number; body?: unknown }> {
    const { method, path } = r;
    const m = (re: RegExp) => re.exec(path);
    let match: RegExpExecArray | null;

    // Interaction callbacks and webhooks authenticate with the interaction token, not the bot token.
    if (method === 'POST' && (match = m(/^\/interactions\/(\d+)\/([^/]+)\/callback$/))) {
      const [, id, tok] = match;
      const state = interactions.get(id!);
      if (!state || state.token !== tok) throw new ApiFailure(404, { code: 10062, message: 'Unknown interaction' });
      if (Date.now() - state.createdAt > ACK_DEADLINE_MS) throw new ApiFailure(404, { code: 10062, message: 'Unknown interaction' });
      if (state.acked) throw new ApiFailure(400, { code: 40060, message: 'Interaction has already been acknowledged.' });
      const type = r.body?.type;
      if (type === 4 || type === 7) checkMessage(r.body.data);
      state.acked = true;
      if (type === 4 || type === 5) {
        const created = message(state.channelId, type === 4 ? r.body.data : { flags: r.body.data?.flags }, r.files);
        state.original = created.id;
      } else if (type === 6 || type === 7) {
        state.original = state.sourceMessage;
        if (type === 7 && state.sourceMessage) editMessage(state.sourceMessage, r.body.data, r.files);
      }
      return { status: 204 };
    }
    if ((match = m(/^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/))) {
      const [, app, tok, which] = match;
      if (app !== appId) throw new ApiFailure(404, { code: 10015, message: 'Unknown Webhook' });
      const { state } = interactionByToken(tok!);
      if (!state.acked) throw new ApiFailure(404, { code: 10008, message: 'Unknown Message' });
      const msgId = which === '@original' ? state.original : which;
      if (!msgId) throw new ApiFailure(404, { code: 10008, message: 'Unknown Message' });
      if (method === 'PATCH') {
        checkMessage(r.body);
        return { status: 200, body: editMessage(msgId, r.body, r.files) };
      }
      if (method === 'DELETE') {
        messages.delete(msgId);
        return { status: 204 };
      }
      if (method === 'GET') {
        const stored = messages.get(msgId);
        if (!stored) throw new ApiFailure(404, { code: 10008, message: 'Unknown Message' });
        return { status: 200, body: apiMessage(stored) };
      }
    }
    if (method === 'POST' && (match = m(/^\/webhooks\/(\d+)\/([^/]+)$/))) {
      const [, app, tok] = match;
      if (app !== appId) throw new ApiFailure(404, { code: 10015, message: 'Unknown Webhook' });
      const { state } = interactionByToken(tok!);
      if (!state.acked) throw new ApiFailure(400, { code: 40060, message: 'Interaction has not been acknowledged' });
      checkMessage(r.body);
      return { status: 200, body: message(state.channelId, r.body, r.files) };
    }

    if (!r.authorized) throw new ApiFailure(401, { code: 0, message: '401: Unauthorized' });

    if (method === 'GET' && path === '/gateway/bot') {
      return {
        status: 200,
        body: {
          url: gatewayUrl,
          shards: recommendedShards,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: maxConcurrency },
        },
      };
    }
    if (method === 'GET' && path === '/users/@me')
      return { status: 200, body: { ...botUser, discriminator: '0', avatar: null, bot: true } };
    if (method === 'GET' && (path === '/applications/@me' || path === '/oauth2/applications/@me')) {
      return { status: 200, body: { id: appId, name: 'hashwatch', description: '', bot_public: true, flags: 0 } };
    }
    if ((match = m(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/))) {
      const [, app, guild] = match;
      if (app !== appId) throw new ApiFailure(403, { code: 50001, message: 'Missing Access' });
      const key = guild ?? 'global';
      if (method === 'GET') return { status: 200, body: registered.get(key) ?? [] };
      if (method === 'PUT') {
        if (!Array.isArray(r.body)) throw invalidForm(['body must be an array']);
        const stored = r.body.map((c: any) => ({
          id: snowflake(),
          application_id: appId,
          version: snowflake(),
          type: 1,
          default_member_permissions: null,
          nsfw: false,
          ...(guild ? { guild_id: guild } : {}),
          ...c,
        }));
        registered.set(key, stored);
        return { status: 200, body: stored };
      }
    }
    if (method === 'POST' && (match = m(/^\/channels\/(\d+)\/messages$/))) {
      const [, channelId] = match;
      // "Apps installed only to a user can't take actions in a server"
      // (https://discord.com/developers/docs/resources/application#installation-context).
      if (foreignChannels.has(channelId!)) throw new ApiFailure(403, { code: 50001, message: 'Missing Access' });
      checkMessage(r.body);
      return { status: 200, body: message(channelId!, r.body, r.files) };
    }
    if (method === 'POST' && path === '/users/@me/channels') {
      const recipient = String(r.body?.recipient_id ?? '');
      if (!/^\d+$/.test(recipient)) throw invalidForm(['recipient_id']);
      let channelId = dmChannels.get(recipient);
      if (!channelId) dmChannels.set(recipient, (channelId = snowflake()));
      return {
        status: 200,
        body: {
          id: channelId,
          type: 1,
          last_message_id: null,
          flags: 0,
          recipients: [{ id: recipient, username: 'user', discriminator: '0', avatar: null }],
        },
      };
    }
    throw new ApiFailure(404, { code: 0, message: `404: Not Found (${method} ${path})` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', apiUrl);
    const path = decodeURIComponent(url.pathname.replace(/^\/api(?:\/v\d+)?/, ''));
    let record: RecordedRequest | undefined;
    try {
      const { body, files } = await readBody(req);
      record = {
        method: req.method ?? 'GET',
        path,
        query: url.searchParams,
        body,
        files,
        authorized: req.headers.authorization === `Bot ${token}`,
        at: Date.now(),
      };
      const tokenInPath = /^\/(?:interactions\/\d+|webhooks\/\d+)\/([^/]+)/.exec(path)?.[1];
      const idInPath = /^\/interactions\/(\d+)\//.exec(path)?.[1];
      record.interactionId = idInPath ?? (tokenInPath ? byToken.get(tokenInPath) : undefined);
      requests.push(record);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const failure = failures.find((f) => f.method === record!.method && f.path.test(path));
      if (failure) {
        if (--failure.times <= 0) failures.splice(failures.indexOf(failure), 1);
        throw new ApiFailure(failure.status, failure.body);
      }
      const out = await route(record);
      record.status = out.status === 200 && out.body === undefined ? 204 : out.status;
      send(res, out.status, out.body);
    } catch (err) {
      if (err instanceof ApiFailure) {
        const retry = (err.body as any)?.retry_after;
        const headers: Record<string, string> = {};
        if (err.status === 429 && typeof retry === 'number') {
          headers['retry-after'] = String(Math.ceil(retry));
          headers['x-ratelimit-scope'] = 'user';
        }
        if (record) record.status = err.status;
        send(res, err.status, err.body, headers);
      } else {
        if (record) record.status = 500;
        send(res, 500, { code: 0, message: String(err) });
      }
    } finally {
      if (record)
        for (const w of [...waiters])
          if (w.pred(record)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(record);
          }
    }
  }

  function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
    if (status === 204 || body === undefined) {
      res.writeHead(status === 200 ? 204 : status, headers).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }

  // ---------------------------------------------------------------- gateway

  /** A gateway session: the shard it runs and its own sequence, kept across a RESUME on a new socket. */
  interface Session {
    id: string;
    shard: [number, number];
    seq: number;
  }
  const sessions = new Map<string, Session>();
  /** Sockets that have identified or resumed, and the session each carries. */
  const live = new Map<WebSocket, Session>();
  let sessionCount = 0;
  const onShard = (session: Session, guild: string | undefined) =>
    guild === undefined ? session.shard[0] === 0 : shardOfGuild(guild, session.shard[1]) === session.shard[0];

  const guildPayload = (id: string, channelId: string) => ({
    id,
    name: 'Hashwatch Test Server',
    icon: null,
    owner_id: defaultUser.id,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    features: [],
    roles: [
      {
        id,
        name: '@everyone',
        permissions: '0',
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    stickers: [],
    channels: [
      {
        id: channelId,
        type: 0,
        name: 'mining',
        guild_id: id,
        position: 0,
        permission_overwrites: [],
        nsfw: false,
        parent_id: null,
        topic: null,
        last_message_id: null,
        rate_limit_per_user: 0,
      },
    ],
    threads: [],
    members: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    member_count: 2,
    large: false,
    unavailable: false,
    joined_at: new Date().toISOString(),
  });

  function sendEvent(ws: WebSocket, session: Session, t: string, d: any) {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(JSON.stringify({ op: 0, t, s: ++session.seq, d }));
    dispatched.push({
      t,
      shard: [...session.shard],
      guildId: t === 'GUILD_CREATE' ? d.id : d?.guild_id,
      ...(t === 'INTERACTION_CREATE' ? { interactionId: d.id } : {}),
    });
  }

  /** An event of this guild (or, without one, a DM) to every session whose shard it falls on. */
  function dispatch(t: string, d: any, guild: string | undefined) {
    for (const [ws, session] of live) if (onShard(session, guild)) sendEvent(ws, session, t, d);
  }

  /**
   * IDENTIFY's optional `shard` is [shard_id, num_shards] with 0 <= shard_id < num_shards; anything else
   * closes with 4010 Invalid shard (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes).
   */
  function identifiedShard(raw: unknown): [number, number] | undefined {
    if (raw === undefined) return [0, 1];
    if (!Array.isArray(raw) || raw.length !== 2) return undefined;
    const [id, count] = raw;
    if (!Number.isInteger(id) || !Number.isInteger(count) || count < 1 || id < 0 || id >= count) return undefined;
    return [id, count];
  }

  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null }));
    ws.on('message', (raw) => {
      let frame: any;
      try {
        frame = JSON.parse(String(raw));
      } catch {
        ws.close(4002, 'Decode error');
        return;
      }
      switch (frame.op) {
        case 1:
          gatewayStats.heartbeats++;
          ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
          break;
        case 2: {
          gatewayStats.identifies++;
          if (frame.d?.token !== token) {
            ws.close(4004, 'Authentication failed.');
            return;
          }
          const shard = identifiedShard(frame.d?.shard);
          if (!shard) {
            ws.close(4010, 'Invalid shard.');
            return;
          }
          const session: Session = { id: `fake-session-${++sessionCount}`, shard, seq: 0 };
          sessions.set(session.id, session);
          live.set(ws, session);
          // READY lists the shard's guilds as unavailable; a GUILD_CREATE for each follows.
          const own = [...guilds].filter(([id]) => onShard(session, id));
          sendEvent(ws, session, 'READY', {
            v: 10,
            user: { ...botUser, discriminator: '0', avatar: null, bot: true, verified: true, flags: 0 },
            guilds: own.map(([id]) => ({ id, unavailable: true })),
            session_id: session.id,
            resume_gateway_url: gatewayUrl,
            shard,
            application: { id: appId, flags: 0 },
            private_channels: [],
          });
          for (const [id, channelId] of own) sendEvent(ws, session, 'GUILD_CREATE', guildPayload(id, channelId));
          break;
        }
        case 6: {
          gatewayStats.resumes++;
          const session = sessions.get(frame.d?.session_id);
          if (frame.d?.token !== token || !session) {
            ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
            return;
          }
          live.set(ws, session);
          sendEvent(ws, session, 'RESUMED', {});
          break;
        }
        default:
          break;
      }
    });
    ws.on('close', () => live.delete(ws));
  });

  // ---------------------------------------------------------------- interactions

  /** A guild text channel as an interaction carries it (partial channel object). */
  const textChannel = (id: string, guildId: string, name: string) => ({
    id,
    type: 0,
    name,
    guild_id: guildId,
    position: 0,
    permission_overwrites: [],
    nsfw: false,
    parent_id: null,
  });

  /** The invoking guild member, with the permissions the test gives it (none by default). */
  const guildMember = (user: FakeUser & { discriminator: string; avatar: null }, permissions = '0') => ({
    user,
    roles: [],
    permissions,
    joined_at: new Date().toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
    nick: null,
    avatar: null,
    premium_since: null,
    pending: false,
    communication_disabled_until: null,
  });

  type Invoker = { guildId?: string; channelId?: string; user?: FakeUser; memberPermissions?: string; userInstall?: boolean };

  /**
   * The invocation fields of an interaction, per
   * https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object:
   * `member` (with permissions) when invoked in a guild, `user` when invoked in a DM; `context` 0 GUILD,
   * 1 BOT_DM, 2 PRIVATE_CHANNEL; `authorizing_integration_owners` "0" → the guild id (or "0" in a DM
   * with the bot) for a server install, "1" → the installing user's id for a user install.
   */
  function who(inv: Invoker) {
    const user = { discriminator: '0', avatar: null, ...(inv.user ?? defaultUser) };
    if (inv.userInstall) return userInstalled(inv, user);
    if (inv.guildId) {
      const channelId = inv.channelId ?? guilds.get(inv.guildId) ?? guildChannelId;
      return {
        channelId,
        fields: {
          guild_id: inv.guildId,
          channel_id: channelId,
          channel: textChannel(channelId, inv.guildId, 'mining'),
          member: guildMember(user, inv.memberPermissions),
          guild_locale: 'en-US',
          authorizing_integration_owners: { '0': inv.guildId },
          context: 0,
        },
      };
    }
    let channelId = inv.channelId ?? dmChannels.get(user.id);
    if (!channelId) dmChannels.set(user.id, (channelId = snowflake()));
    return {
      channelId,
      fields: {
        channel_id: channelId,
        channel: { id: channelId, type: 1, last_message_id: null, flags: 0, recipients: [user] },
        user,
        authorizing_integration_owners: { '0': '0' },
        context: 1,
      },
    };
  }

  /**
   * A command run through the asker's user install. In a server the bot is not in, Discord still
   * sends `member` with the asker's permissions and a partial `guild` (recorded payloads in
   * mastercuber55/Fischl api/body.md); in a DM or group DM between users only `user`. Either way the
   * channel is one the bot cannot post in (see the POST /channels/{id}/messages route).
   */
  function userInstalled(inv: Invoker, user: FakeUser & { discriminator: string; avatar: null }) {
    const owners = { '1': user.id };
    if (inv.guildId) {
      const channelId = inv.channelId ?? snowflake();
      foreignChannels.add(channelId);
      return {
        channelId,
        fields: {
          guild_id: inv.guildId,
          guild: { id: inv.guildId, locale: 'en-US', features: [] },
          guild_locale: 'en-US',
          channel_id: channelId,
          channel: textChannel(channelId, inv.guildId, 'elsewhere'),
          member: guildMember(user, inv.memberPermissions),
          authorizing_integration_owners: owners,
          context: 0,
        },
      };
    }
    const channelId = inv.channelId ?? snowflake();
    foreignChannels.add(channelId);
    const friend = { id: snowflake(), username: 'friend', discriminator: '0', avatar: null };
    return {
      channelId,
      fields: {
        channel_id: channelId,
        // Type 3 GROUP_DM: a chat between users, not the bot's DM.
        channel: { id: channelId, type: 3, name: null, last_message_id: null, flags: 0, recipients: [user, friend], owner_id: user.id },
        user,
        authorizing_integration_owners: owners,
        context: 2,
      },
    };
  }

  function createInteraction(
    type: number,
    data: unknown,
    inv: Invoker,
    extra: Record<string, unknown> = {},
    sourceMessage?: string,
  ): string {
    const id = snowflake();
    const tok = `itoken-${id}-${Math.random().toString(36).slice(2)}`;
    const { channelId, fields } = who(inv);
    interactions.set(id, { token: tok, createdAt: Date.now(), acked: false, channelId, guildId: inv.guildId, sourceMessage });
    byToken.set(tok, id);
    const payload = {
      id,
      application_id: appId,
      type,
      data,
      token: tok,
      version: 1,
      app_permissions: '2248473465835073',
      locale: 'en-US',
      entitlements: [],
      attachment_size_limit: 10_485_760,
      ...fields,
      ...extra,
    };
    dispatch('INTERACTION_CREATE', payload, inv.guildId);
    return id;
  }

  function registeredCommand(name: string, guild?: string): any {
    return (
      (guild ? registered.get(guild) : undefined)?.find((c) => c.name === name) ?? registered.get('global')?.find((c) => c.name === name)
    );
  }

  function optionsPayload(cmd: any, options: Record<string, unknown>, focused?: string) {
    return Object.entries(options).map(([name, value]) => {
      const declared = cmd?.options?.find((o: any) => o.name === name);
      const type = declared?.type ?? (typeof value === 'number' ? (Number.isInteger(value) ? 4 : 10) : typeof value === 'boolean' ? 5 : 3);
      return { name, type, value, ...(focused === name ? { focused: true } : {}) };
    });
  }

  const fake: FakeDiscord = {
    apiUrl,
    gatewayUrl,
    token,
    appId,
    botUser,
    guildId,
    guildChannelId,
    requests,
    registered,
    messages,
    gatewayStats,
    dispatched,
    addGuild({ shard, shardCount }) {
      const id = guildSnowflake(shard, shardCount);
      const channelId = snowflake();
      guilds.set(id, channelId);
      // "user joined a new guild" (https://discord.com/developers/docs/events/gateway-events#guild-create).
      dispatch('GUILD_CREATE', guildPayload(id, channelId), id);
      return { guildId: id, channelId };
    },
    sendCommand(inv) {
      const cmd = registeredCommand(inv.name, inv.guildId);
      const data = {
        id: cmd?.id ?? snowflake(),
        name: inv.name,
        type: 1,
        options: optionsPayload(cmd, inv.options ?? {}),
        ...(inv.guildId ? { guild_id: inv.guildId } : {}),
      };
      return createInteraction(2, data, inv);
    },
    pressButton(press) {
      const stored = messages.get(press.messageId);
      if (!stored) throw new Error(`fake discord: no stored message ${press.messageId}`);
      const exists = stored.components.some((row) => row.components?.some((b: any) => b.custom_id === press.customId));
      if (!exists) throw new Error(`fake discord: message ${press.messageId} has no button ${press.customId}`);
      const inv = { ...press, channelId: press.channelId ?? stored.channel_id };
      return createInteraction(3, { custom_id: press.customId, component_type: 2 }, inv, { message: apiMessage(stored) }, stored.id);
    },
    autocomplete(req) {
      const cmd = registeredCommand(req.name, req.guildId);
      const data = {
        id: cmd?.id ?? snowflake(),
        name: req.name,
        type: 1,
        options: optionsPayload(cmd, { ...(req.options ?? {}), [req.focused]: req.value }, req.focused),
      };
      return createInteraction(4, data, req);
    },
    waitForRequest(pred, timeoutMs = 10_000) {
      const found = requests.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          pred,
          resolve: (r: RecordedRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(
            new Error(
              `fake discord: no matching request within ${timeoutMs} ms; got ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`,
            ),
          );
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    requestsFor(interactionId) {
      return requests.filter((r) => r.interactionId === interactionId);
    },
    originalMessageId(interactionId) {
      return interactions.get(interactionId)?.original;
    },
    failRoute(method, path, status, body, times = 1) {
      failures.push({ method: method.toUpperCase(), path, status, body, times });
    },
    setDelay(ms) {
      delayMs = ms;
    },
    dropGateway() {
      for (const ws of live.keys()) ws.terminate();
      live.clear();
    },
    gatewayConnections() {
      return live.size;
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
