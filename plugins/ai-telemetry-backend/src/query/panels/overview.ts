import { OverviewData } from '@fawkes/plugin-ai-telemetry-common';
import { bucketStartsOf } from '../window';
import { labelOf, sumIntoBuckets, total } from './buckets';
import { activeUserCount, definePanel, PanelContext, runSeries } from './panel';
import {
  activeUsersQuery,
  InstantQuery,
  SeriesQuery,
  suggestionsQuery,
} from './queries';

const TOP_LANGUAGES = 5;

function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

type Queries = { suggestions: SeriesQuery; active: InstantQuery };

/** Totals of the window, its top languages, active and opted-in users, teams using AI tools. */
async function loadOverview(
  queries: Queries,
  ctx: PanelContext,
): Promise<OverviewData> {
  const [suggestions, active, optedInUsers] = await Promise.all([
    runSeries(ctx, queries.suggestions),
    ctx.run(queries.active),
    ctx.optedInUsers(),
  ]);
  const { step } = ctx.params.window;
  const starts = bucketStartsOf(ctx.params.window, step);

  const shown = sumIntoBuckets(suggestions, step, labelOf('language'));
  const accepted = sumIntoBuckets(suggestions, step, labels =>
    labels.accepted === 'true' ? labelOf('language')(labels) : undefined,
  );
  const languages = [...shown.keys()].map(language => ({
    language,
    suggestions: total(shown.get(language), starts),
    accepted: total(accepted.get(language), starts),
  }));
  const totalSuggestions = languages.reduce((s, l) => s + l.suggestions, 0);
  const acceptedSuggestions = languages.reduce((s, l) => s + l.accepted, 0);

  return {
    totalSuggestions,
    acceptedSuggestions,
    acceptanceRate: ratio(acceptedSuggestions, totalSuggestions),
    activeUsers: activeUserCount(ctx, active),
    optedInUsers,
    topLanguages: languages
      .filter(l => l.suggestions > 0)
      .sort(
        (a, b) =>
          b.suggestions - a.suggestions || a.language.localeCompare(b.language),
      )
      .slice(0, TOP_LANGUAGES)
      .map(l => ({
        ...l,
        acceptanceRate: ratio(l.accepted, l.suggestions),
        share: l.suggestions / totalSuggestions,
      })),
    teamsUsingAi: ctx.params.team
      ? null
      : await ctx.teamsUsingAi(queries.active),
  };
}

/**
 * Overview: suggestions shown, acceptance rate, active and opted-in users, top five languages,
 * teams using AI tools.
 */
export const overviewPanel = definePanel({
  id: 'overview',
  families: ['suggestions'],
  step: window => window.step,
  queries: (params, sources): Queries => ({
    suggestions: suggestionsQuery(params, sources.suggestions),
    active: activeUsersQuery(params),
  }),
  load: loadOverview,
  tiles: data => ({
    totalSuggestions: data.totalSuggestions,
    acceptanceRate: data.acceptanceRate,
    activeUsers: data.activeUsers,
  }),
});
