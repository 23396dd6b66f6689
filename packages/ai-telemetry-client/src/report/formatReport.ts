import {
  FigureChange,
  FigureName,
  FIGURE_NAMES,
  ReportPeriodJson,
  WeeklyReport,
} from './weeklyReport';

const DAY_MS = 86_400_000;

const ROWS: Record<FigureName, string> = {
  totalSuggestions: 'Suggestions shown',
  acceptedSuggestions: 'Suggestions accepted',
  acceptanceRate: 'Acceptance rate',
  linesGenerated: 'Lines generated',
  timeSavedHours: 'Time saved (hours)',
  activeUsers: 'Active users',
};

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

function signed(text: string, sign: number): string {
  if (sign > 0) return `+${text}`;
  return sign < 0 ? `-${text}` : text;
}

function value(name: FigureName, v: number | null): string {
  if (v === null) return '–';
  if (name === 'acceptanceRate') return `${oneDecimal.format(v * 100)}%`;
  if (name === 'timeSavedHours') return oneDecimal.format(v);
  return whole.format(v);
}

function change(name: FigureName, c: FigureChange): string {
  if (c.absolute === null) return '–';
  const size = Math.abs(c.absolute);
  const absolute =
    name === 'acceptanceRate'
      ? signed(`${oneDecimal.format(size * 100)} pp`, c.absolute)
      : signed(value(name, size), c.absolute);
  const percent =
    c.percent === null
      ? 'new'
      : signed(`${oneDecimal.format(Math.abs(c.percent))}%`, c.percent);
  return `${absolute} (${percent})`;
}

/** `2026-11-16 to 2026-11-22 UTC` for whole UTC days, else both instants. */
export function describePeriod(period: ReportPeriodJson): string {
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  if (from % DAY_MS === 0 && to % DAY_MS === 0) {
    const day = (t: number) => new Date(t).toISOString().slice(0, 10);
    return to - from === DAY_MS
      ? `${day(from)} UTC`
      : `${day(from)} to ${day(to - DAY_MS)} UTC`;
  }
  return `${period.from} to ${period.to}`;
}

/** The report as Markdown: a heading, the figures against the period before, top languages. */
export function formatMarkdown(
  report: WeeklyReport,
  requested?: { label: string },
): string {
  const { period, previousPeriod } = report;
  const lines = [
    `# AI coding assistants: ${period.label}`,
    '',
    `${describePeriod(period)}, compared with ${
      previousPeriod.label
    } (${describePeriod(previousPeriod)}).`,
  ];
  if (requested && requested.label !== period.label) {
    lines.push(
      '',
      `The backend covered ${period.label} instead of ${requested.label}: it cuts a period at the last complete day and at the retention.`,
    );
  }
  lines.push(
    '',
    `| | ${period.label} | ${previousPeriod.label} | change |`,
    '| --- | ---: | ---: | ---: |',
    ...FIGURE_NAMES.map(
      name =>
        `| ${ROWS[name]} | ${value(name, report.figures[name])} | ${value(
          name,
          report.previous[name],
        )} | ${change(name, report.change[name])} |`,
    ),
    '',
    '## Top languages',
    '',
  );
  if (report.topLanguages.length === 0) {
    lines.push('No suggestions were shown in this period.');
  } else {
    lines.push(
      '| language | suggestions | share | acceptance rate |',
      '| --- | ---: | ---: | ---: |',
      ...report.topLanguages.map(
        l =>
          `| ${l.language} | ${whole.format(
            l.suggestions,
          )} | ${oneDecimal.format(l.share * 100)}% | ${value(
            'acceptanceRate',
            l.acceptanceRate,
          )} |`,
      ),
    );
  }
  return lines.join('\n');
}
