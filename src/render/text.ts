/** Reply → plain terminal text. Aligned label/value rows read well in a fixed-width font. */
import type { Reply } from '../core/reply.ts';

export function renderText(reply: Reply): string {
  const out: string[] = [];
  const title = reply.tone === 'error' ? `✖ ${reply.title}` : reply.title;
  out.push(title, '─'.repeat(Math.min(60, Math.max(8, title.length))));
  for (const line of reply.lines ?? []) out.push(line);
  for (const section of reply.sections) {
    if (section.fields.length === 0) continue;
    out.push('');
    if (section.title) out.push(`${section.title}:`);
    const width = Math.min(28, Math.max(...section.fields.map((f) => f.label.length)));
    for (const f of section.fields) out.push(`  ${f.label.padEnd(width)}  ${f.value}`);
  }
  if (reply.buttons?.length) {
    out.push('', `Also: ${reply.buttons.map((b) => `/${b.command} ${Object.entries(b.args).map(([k, v]) => `${k}=${v}`).join(' ')}`).join('  ·  ')}`);
  }
  if (reply.chart) out.push('', `[chart: ${reply.chart.alt}]`);
  if (reply.footer.length) out.push('', ...reply.footer);
  return out.join('\n');
}
