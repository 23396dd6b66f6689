import {
  FilterName,
  PanelFilters,
  TooFewParticipantsReason,
  UsageWithheldReason,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  appliedFilters,
  BREAKDOWN_LABELS,
  CounterFamily,
  matchesFilters,
  METRIC_FAMILIES,
  PanelParams,
  properSubsets,
  USAGE_FAMILIES,
} from './families';
import { participantsQuery, QuerySpec } from './panels/queries';
import { decideRows, RowVisibility } from './breakdownRows';
import { PrometheusSeries } from '../upstream/PrometheusClient';
import { ResolvedTeam } from './TeamResolver';

/** Who has data of one metric family in the window, as sets of pseudonyms. */
type FamilyParticipants = {
  /** Pseudonyms with data under the filters this family applies. */
  under: Set<string>;
  /**
   * For each view with fewer of those filters (the unfiltered one included): the pseudonyms
   * with data in that view that is not under all the filters, i.e. whose activity makes up the
   * difference between that view and this one.
   */
  outside: Array<Set<string>>;
};

/** A group whose view can be opened: its pseudonyms and the groups below it. */
type View = { key: string; userHashes: Set<string>; subgroups: string[] };

function countIn(set: Set<string>, members?: Set<string>): number {
  if (!members) return set.size;
  // Through the smaller of the two: a team is usually far smaller than the organisation.
  const [small, large] =
    members.size < set.size ? [members, set] : [set, members];
  let n = 0;
  for (const hash of small) if (large.has(hash)) n++;
  return n;
}

/** How many of `set` are in `members` (everyone when absent) but not in `excluded`. */
function countOutside(
  set: Set<string>,
  members: Set<string> | undefined,
  excluded: Set<string>,
): number {
  // The organisation: all of the set but those excluded, counted through the smaller side.
  if (!members) return set.size - countIn(set, excluded);
  let n = 0;
  const [small, large] =
    members.size < set.size ? [members, set] : [set, members];
  for (const hash of small) {
    if (large.has(hash) && !excluded.has(hash)) n++;
  }
  return n;
}

/**
 * Decides, from who has data, which views may show figures. A view is the organisation or a
 * Group (its opted-in members and its subgroups'), under the request's window and filters.
 */
class Views {
  private readonly visible = new Map<string, boolean>();

  constructor(
    private readonly families: FamilyParticipants[],
    private readonly minGroupSize: number,
    private readonly groups: Map<string, View>,
  ) {}

  /** Why `view` (the organisation when absent) must show no figures, if it must not. */
  refusal(view?: View): TooFewParticipantsReason | undefined {
    const members = view?.userHashes;
    const counts = this.families.map(f => countIn(f.under, members));
    const withData = counts.filter(n => n > 0);
    if (withData.length === 0 || Math.min(...withData) < this.minGroupSize) {
      return 'threshold';
    }
    const filterDifference = this.families.some(f =>
      f.outside.some(set => this.isFew(countIn(set, members))),
    );
    if (filterDifference || (view && this.groupDifference(view))) {
      return 'differencing';
    }
    return undefined;
  }

  /** Pseudonyms in `view` (the organisation when absent) with data of any family. */
  reporting(view?: View): number {
    const all = new Set<string>();
    for (const family of this.families) {
      for (const hash of family.under) {
        if (!view || view.userHashes.has(hash)) all.add(hash);
      }
    }
    return all.size;
  }

  private isFew(count: number): boolean {
    return count > 0 && count < this.minGroupSize;
  }

  /**
   * Whether the view differs by a few people from a view it contains (a subgroup's) or from
   * one that contains it (the organisation's), where that other view shows figures.
   */
  private groupDifference(view: View): boolean {
    const fewApart = (outer: Set<string> | undefined, inner: Set<string>) =>
      this.families.some(f => this.isFew(countOutside(f.under, outer, inner)));
    for (const key of view.subgroups) {
      const subgroup = this.groups.get(key);
      if (
        subgroup &&
        this.shows(subgroup) &&
        fewApart(view.userHashes, subgroup.userHashes)
      ) {
        return true;
      }
    }
    return this.shows() && fewApart(undefined, view.userHashes);
  }

  /** Whether a view would show figures; a view met again while deciding it counts as showing. */
  shows(view?: View): boolean {
    const key = view?.key ?? '';
    const known = this.visible.get(key);
    if (known !== undefined) return known;
    this.visible.set(key, true);
    const shows = this.refusal(view) === undefined;
    this.visible.set(key, shows);
    return shows;
  }
}

/** The view of a team. */
function viewOf(team: ResolvedTeam): View {
  return {
    key: team.info.entityRef.toLocaleLowerCase('en-US'),
    userHashes: new Set(team.userHashes),
    subgroups: team.subgroups.map(g => g.entityRef),
  };
}

/** The views of the groups below a team, by key. */
function groupsOf(team: ResolvedTeam): Map<string, View> {
  return new Map(
    team.subgroups.map(g => [
      g.entityRef,
      {
        key: g.entityRef,
        userHashes: new Set(g.userHashes),
        subgroups: g.subgroups,
      },
    ]),
  );
}

/**
 * The privacy threshold of every answer about people
 * (docs/privacy-model.md#the-privacy-threshold). An organisation or team view shows figures
 * only when
 * - every metric family with data in the window has at least `minGroupSize` developers with
 *   data under the filters the family applies (and some family has data), and
 * - it differs by none or at least `minGroupSize` developers, per family, from each view it
 *   could be subtracted from or that could be subtracted from it: the same view with fewer
 *   filters; for a Group, each group below it that shows figures itself, and the organisation.
 *
 * Who has data is read with one instant query per family over the whole organisation
 * ({@link participantsQuery}, through the query cache) and everything else is counted in memory,
 * so a team costs no more queries than the organisation, and the pseudonyms never leave here.
 */
export class PrivacyThreshold {
  /**
   * The pseudonyms of each answer, per filters: the organisation's, the usage panel's, the
   * teams' and the previous window's checks read the same answers (one per family, shared by
   * the service), and would otherwise put the same 10,000 pseudonyms into new sets each time.
   */
  private readonly sets = new WeakMap<
    PrometheusSeries[],
    Map<string, FamilyParticipants>
  >();

  constructor(
    private readonly options: {
      run: (spec: QuerySpec) => Promise<PrometheusSeries[]>;
      minGroupSize: number;
    },
  ) {}

  /** Why the organisation's figures must not be shown, if they must not. */
  async organisation(
    request: PanelParams,
  ): Promise<TooFewParticipantsReason | undefined> {
    const { views } = await this.views(request, METRIC_FAMILIES);
    return views.refusal();
  }

  /** Why a team's figures must not be shown, if they must not. */
  async team(
    request: PanelParams,
    team: ResolvedTeam,
  ): Promise<TooFewParticipantsReason | undefined> {
    const { views, view } = await this.views(request, METRIC_FAMILIES, team);
    return views.refusal(view);
  }

  /**
   * Why each of these teams' figures must not be shown, if they must not ({@link team} for
   * many teams at once: the participants are read once for all of them).
   */
  async teams(
    request: PanelParams,
    teams: readonly ResolvedTeam[],
  ): Promise<Array<TooFewParticipantsReason | undefined>> {
    const participants = await this.participants(request, METRIC_FAMILIES);
    // One set of views for all of them, so that each group below them is decided once.
    const groups = new Map<string, View>();
    for (const team of teams) {
      for (const [key, group] of groupsOf(team)) {
        if (!groups.has(key)) groups.set(key, group);
      }
    }
    const views = new Views(participants, this.options.minGroupSize, groups);
    return teams.map(team => views.refusal(viewOf(team)));
  }

  /**
   * The groups below a team whose own view shows figures, by the pseudonyms of their members:
   * with the organisation, the views a team's counts of people could be subtracted from.
   */
  async subgroupsShowing(
    request: PanelParams,
    team: ResolvedTeam,
  ): Promise<string[][]> {
    const { views } = await this.views(request, METRIC_FAMILIES, team);
    return team.subgroups
      .filter(g =>
        views.shows({
          key: g.entityRef,
          userHashes: new Set(g.userHashes),
          subgroups: g.subgroups,
        }),
      )
      .map(g => g.userHashes);
  }

  /**
   * Whether the usage panel of the organisation or a team may show figures: the same rules
   * over the usage families alone (tokens, cost, sessions, active time, commits, pull requests),
   * so that a few developers whose assistants report over OpenTelemetry withhold that panel and
   * not the whole dashboard. With figures, also how many developers in view report usage.
   */
  async usage(
    request: PanelParams,
    team?: ResolvedTeam,
  ): Promise<
    | { withheld: false; reporting: number }
    | { withheld: true; reason: UsageWithheldReason }
  > {
    const { views, view } = await this.views(request, USAGE_FAMILIES, team);
    const reporting = views.reporting(view);
    if (reporting === 0) return { withheld: true, reason: 'noData' };
    const reason = views.refusal(view);
    return reason ? { withheld: true, reason } : { withheld: false, reporting };
  }

  /**
   * Which rows of a view's breakdowns (values of a language, an assistant, a model...) may be
   * shown as their own and which are pooled ({@link decideRows}), from the same answers as the
   * views' threshold. `nested`: the other views a team's rows could be subtracted from or that
   * could be subtracted from them (the organisation as `undefined`, groups by members).
   */
  async rows(
    request: PanelParams,
    nested: ReadonlyArray<ReadonlySet<string> | undefined>,
    team?: ResolvedTeam,
  ): Promise<RowVisibility> {
    const families = [...METRIC_FAMILIES, ...USAGE_FAMILIES].filter(
      family => BREAKDOWN_LABELS[family].length > 0,
    );
    return decideRows({
      families: await Promise.all(
        families.map(async family => ({
          family,
          series: await this.options.run(participantsQuery(request, family)),
        })),
      ),
      filters: request.filters,
      members: team && new Set(team.userHashes),
      nested,
      minGroupSize: this.options.minGroupSize,
    });
  }

  private async views(
    request: PanelParams,
    families: readonly CounterFamily[],
    team?: ResolvedTeam,
  ): Promise<{ views: Views; view?: View }> {
    const participants = await this.participants(request, families);
    if (!team) {
      return {
        views: new Views(participants, this.options.minGroupSize, new Map()),
      };
    }
    return this.viewsOf(participants, team);
  }

  private viewsOf(
    participants: FamilyParticipants[],
    team: ResolvedTeam,
  ): { views: Views; view: View } {
    return {
      views: new Views(participants, this.options.minGroupSize, groupsOf(team)),
      view: viewOf(team),
    };
  }

  private async participants(
    request: PanelParams,
    families: readonly CounterFamily[],
  ): Promise<FamilyParticipants[]> {
    const { filters } = request;
    const organisationOnly: PanelParams = {
      window: request.window,
      filters: request.filters,
      recordedDays: request.recordedDays,
    };
    return Promise.all(
      families.map(async family => {
        // Always the whole organisation's (a team's params carry its pseudonyms: left out),
        // so that every view shares one cached answer per family.
        const series = await this.options.run(
          participantsQuery(organisationOnly, family),
        );
        const applied = appliedFilters(family, filters);
        const key = JSON.stringify(applied.map(name => [name, filters[name]]));
        let known = this.sets.get(series);
        if (!known) {
          known = new Map();
          this.sets.set(series, known);
        }
        let sets = known.get(key);
        if (!sets) {
          sets = participantSets(series, filters, applied);
          known.set(key, sets);
        }
        return sets;
      }),
    );
  }
}

/** Who is under the filters `applied`, and who only under each proper subset of them. */
function participantSets(
  series: PrometheusSeries[],
  filters: PanelFilters,
  applied: FilterName[],
): FamilyParticipants {
  const wider = properSubsets(applied);
  const under = new Set<string>();
  const outside = wider.map(() => new Set<string>());
  for (const { labels } of series) {
    const hash = labels.user_hash;
    if (!hash) continue;
    if (matchesFilters(labels, filters, applied)) {
      under.add(hash);
      continue;
    }
    wider.forEach((names, i) => {
      if (matchesFilters(labels, filters, names)) outside[i].add(hash);
    });
  }
  return { under, outside };
}
