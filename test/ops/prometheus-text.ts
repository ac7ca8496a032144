/**
 * A strict reader of the Prometheus text exposition format, version 0.0.4, as Prometheus documents it
 * (prometheus.io/docs/instrumenting/exposition_formats/, "Text-based format"): `# HELP name text`,
 * `# TYPE name counter|gauge|histogram|summary|untyped`, and `name{label="value",…} value [timestamp]`
 * lines; label values escape `\`, `"` and newline; values are Go floats (parseValue).
 * Anything else throws, so a test that reads /metrics through it fails on a malformed page.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL_NAME}=${LABEL_VALUE}(?:,${LABEL_NAME}=${LABEL_VALUE})*,?)?)\\})? (\\S+)(?: -?\\d+)?$`,
);
const LABEL = new RegExp(`(${LABEL_NAME})=(${LABEL_VALUE})`, 'g');
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** Sample name suffixes that belong to the family without them (histograms and summaries). */
const SUFFIXES = ['_bucket', '_sum', '_count'];

/**
 * "value is a float represented as required by Go's ParseFloat() function": ParseFloat reads NaN and
 * (signed) Inf/Infinity in any case (pkg.go.dev/strconv#ParseFloat), and prom-client writes "Nan".
 */
function parseValue(text: string, line: string): number {
  if (/^nan$/i.test(text)) return Number.NaN;
  const inf = /^([+-]?)inf(inity)?$/i.exec(text);
  if (inf) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) throw new Error(`not a sample value: ${line}`);
  return Number(text);
}

const unquote = (quoted: string) => quoted.slice(1, -1).replace(/\\([\\"n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

export function parsePrometheusText(text: string): Sample[] {
  if (!text.endsWith('\n')) throw new Error('the page must end with a newline');
  const typed = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('#')) {
      const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!comment) continue; // other comments are allowed and ignored
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`bad metric name: ${line}`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`bad type: ${line}`);
        if (typed.has(name)) throw new Error(`second TYPE for ${name}`);
        typed.set(name, rest);
      }
      continue;
    }
    if (line.trim() === '') continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const [, name, labelText = '', valueText] = match as unknown as [string, string, string | undefined, string];
    const family = SUFFIXES.reduce((n, s) => (n.endsWith(s) && typed.has(n.slice(0, -s.length)) ? n.slice(0, -s.length) : n), name);
    if (!typed.has(family)) throw new Error(`sample before its TYPE line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, quoted] of labelText.matchAll(LABEL)) labels[key!] = unquote(quoted!);
    samples.push({ name, labels, value: parseValue(valueText, line) });
  }
  return samples;
}

/** The value of the one sample with this name and exactly these labels; undefined when there is none. */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const found = samples.filter((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${wanted}`);
  return found[0]?.value;
}
