/**
 * The daily summary (`report daily`): calls by service and outcome, tickets by type and status,
 * as plain text or a small self-contained HTML page. Labels come from the message catalog.
 * @module
 */
import type { DailyFigures } from '../domain/reports.js';
import { translateDynamic, type Translate } from '../i18n/catalog.js';

/** A table of the report: a title and labelled counts. */
interface Section {
  readonly title: string;
  readonly rows: readonly (readonly [string, number | string])[];
}

function sections(f: DailyFigures, t: Translate): Section[] {
  const pct = (n: number): string => (f.callsTotal === 0 ? '-' : `${((100 * n) / f.callsTotal).toFixed(1)}%`);
  return [
    {
      title: t('report.section.summary'),
      rows: [
        [t('report.callsTotal'), f.callsTotal],
        [t('report.answeredByAgent'), `${f.answered} (${pct(f.answered)})`],
        [
          t('report.meanAnswerDelay'),
          f.meanAnswerDelayMs === null ? '-' : t('report.seconds', { n: (f.meanAnswerDelayMs / 1000).toFixed(1) }),
        ],
        [t('report.ticketsCreated'), f.ticketsCreatedByType.reduce((s, x) => s + x.count, 0)],
        [t('report.escalations'), f.escalations],
        [t('report.voicemails'), f.voicemails],
      ],
    },
    {
      title: t('report.section.callsByService'),
      rows: f.callsByService.map((x) => [translateDynamic(t, `service.${x.service}`, x.service), x.count]),
    },
    {
      title: t('report.section.callsByOutcome'),
      rows: f.callsByOutcome.map((x) => [translateDynamic(t, `outcome.${x.outcome}`, x.outcome), x.count]),
    },
    {
      title: t('report.section.ticketsByType'),
      rows: f.ticketsCreatedByType.map((x) => [translateDynamic(t, `ticketType.${x.type}`, x.type), x.count]),
    },
    {
      title: t('report.section.ticketsByStatus'),
      rows: f.ticketsByStatus.map((x) => [translateDynamic(t, `ticketStatus.${x.status}`, x.status), x.count]),
    },
  ];
}

/** Display width of a string in a terminal (CJK characters take two columns). */
function width(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return w;
}

/** The report as aligned plain text. */
export function renderDailyText(f: DailyFigures, day: string, centre: string, t: Translate): string {
  const lines = [t('report.title', { centre, day }), ''];
  for (const s of sections(f, t)) {
    lines.push(`== ${s.title}`);
    if (s.rows.length === 0) lines.push(`   ${t('report.none')}`);
    const labelWidth = Math.max(0, ...s.rows.map(([label]) => width(label)));
    for (const [label, value] of s.rows) lines.push(`   ${label}${' '.repeat(labelWidth - width(label) + 2)}${value}`);
    lines.push('');
  }
  return lines.join('\n');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The report as a self-contained HTML page. */
export function renderDailyHtml(f: DailyFigures, day: string, centre: string, t: Translate, lang: string): string {
  const title = escapeHtml(t('report.title', { centre, day }));
  const body = sections(f, t)
    .map(
      (s) =>
        `<h2>${escapeHtml(s.title)}</h2>\n<table>\n${
          s.rows.length === 0
            ? `<tr><td>${escapeHtml(t('report.none'))}</td></tr>`
            : s.rows.map(([l, v]) => `<tr><th>${escapeHtml(l)}</th><td>${escapeHtml(String(v))}</td></tr>`).join('\n')
        }\n</table>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em}table{border-collapse:collapse;min-width:20em}th,td{border:1px solid #ccc;padding:.3em .8em;text-align:left}td{text-align:right}</style>
</head>
<body>
<h1>${title}</h1>
${body}
</body>
</html>
`;
}
