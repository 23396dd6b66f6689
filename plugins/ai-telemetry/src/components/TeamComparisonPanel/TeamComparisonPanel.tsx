import { parseEntityRef } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import {
  entityRouteParams,
  useEntityRefLink,
} from '@backstage/plugin-catalog-react';
import {
  TeamComparisonPanel as TeamComparisonPanelResponse,
  TeamComparisonRow,
} from '@fawkes/plugin-ai-telemetry-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useMemo, useState } from 'react';
import { PanelState } from '../../hooks/usePanelStates';
import { formatCount, formatDecimal, formatPercent } from '../../lib/format';
import { Tabular } from '../DataTable';
import { PanelCard } from '../PanelCard';

/** The path of a Group's AI Telemetry tab (see the plugin's entity content, path `ai-telemetry`). */
const TEAM_TAB = 'ai-telemetry';

/**
 * A function that gives the path of a Group's AI Telemetry tab: the catalog's entity page (its
 * route where the app has one, else the catalog's default path) and the tab.
 */
function useTeamTabLink(): (entityRef: string) => string {
  try {
    // Throws when the app has no catalog entity page (as in some tests): the default path then.
    // It calls the same hooks before throwing as when it returns, so the hook order is stable.
    const entityLink = useEntityRefLink();
    return entityRef =>
      `${entityLink(entityRef).replace(/\/$/, '')}/${TEAM_TAB}`;
  } catch {
    return entityRef => {
      const { kind, namespace, name } = entityRouteParams(entityRef);
      return `/catalog/${namespace}/${kind}/${name}/${TEAM_TAB}`;
    };
  }
}

function teamName(row: TeamComparisonRow): string {
  return row.team.title ?? parseEntityRef(row.team.entityRef).name;
}

type Column = {
  key: string;
  label: string;
  numeric: boolean;
  value: (row: TeamComparisonRow) => number | string | null;
  text: (row: TeamComparisonRow) => string;
};

const COLUMNS: Column[] = [
  {
    key: 'team',
    label: 'Team',
    numeric: false,
    value: teamName,
    text: teamName,
  },
  {
    key: 'activeDevelopers',
    label: 'Active developers',
    numeric: true,
    value: r => r.activeDevelopers,
    text: r => formatCount(r.activeDevelopers),
  },
  {
    key: 'acceptanceRate',
    label: 'Acceptance rate',
    numeric: true,
    value: r => r.acceptanceRate,
    text: r => formatPercent(r.acceptanceRate),
  },
  {
    key: 'linesAccepted',
    label: 'Lines accepted',
    numeric: true,
    value: r => r.linesAccepted,
    text: r => formatCount(r.linesAccepted),
  },
  {
    key: 'hoursSaved',
    label: 'Hours saved per active developer',
    numeric: true,
    value: r => r.hoursSavedPerActiveDeveloper,
    text: r =>
      r.hoursSavedPerActiveDeveloper === null
        ? '—'
        : `${formatDecimal(r.hoursSavedPerActiveDeveloper)} h`,
  },
];

type Sort = { key: string; direction: 'asc' | 'desc' };

/** Rows in the order of the column; empty values (no ratio) last either way, then by name. */
function sorted(rows: TeamComparisonRow[], sort: Sort): TeamComparisonRow[] {
  const column = COLUMNS.find(c => c.key === sort.key) ?? COLUMNS[1];
  const sign = sort.direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) {
      return (
        sign *
        (typeof x === 'string' || typeof y === 'string'
          ? String(x).localeCompare(String(y))
          : x - y)
      );
    }
    return teamName(a).localeCompare(teamName(b));
  });
}

function table(panel: TeamComparisonPanelResponse): Tabular {
  return {
    header: [
      'team',
      'entity ref',
      'active developers',
      'acceptance rate',
      'lines accepted',
      'hours saved per active developer',
    ],
    rows: (panel.data.teams ?? []).map(r => [
      teamName(r),
      r.team.entityRef,
      r.activeDevelopers,
      r.acceptanceRate,
      r.linesAccepted,
      r.hoursSavedPerActiveDeveloper,
    ]),
  };
}

const ComparisonTable = (props: { rows: TeamComparisonRow[] }) => {
  const [sort, setSort] = useState<Sort>({
    key: 'activeDevelopers',
    direction: 'desc',
  });
  const linkOf = useTeamTabLink();
  const rows = useMemo(() => sorted(props.rows, sort), [props.rows, sort]);
  const sortBy = (column: Column) =>
    setSort(current =>
      current.key === column.key
        ? {
            key: column.key,
            direction: current.direction === 'asc' ? 'desc' : 'asc',
          }
        : { key: column.key, direction: column.numeric ? 'desc' : 'asc' },
    );
  return (
    <TableContainer>
      <Table size="small" aria-label="Teams compared">
        <TableHead>
          <TableRow>
            {COLUMNS.map(column => (
              <TableCell
                key={column.key}
                align={column.numeric ? 'right' : 'left'}
                sortDirection={sort.key === column.key ? sort.direction : false}
              >
                <TableSortLabel
                  active={sort.key === column.key}
                  direction={sort.key === column.key ? sort.direction : 'asc'}
                  onClick={() => sortBy(column)}
                >
                  {column.label}
                </TableSortLabel>
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(row => (
            <TableRow key={row.team.entityRef}>
              {COLUMNS.map(column =>
                column.key === 'team' ? (
                  <TableCell key={column.key} component="th" scope="row">
                    <Link to={linkOf(row.team.entityRef)}>{teamName(row)}</Link>
                  </TableCell>
                ) : (
                  <TableCell key={column.key} align="right">
                    {column.text(row)}
                  </TableCell>
                ),
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
};

/**
 * Team comparison (organisation page): each catalog Group the reader may open whose own AI
 * Telemetry tab shows figures, side by side, sortable by any column, each linking to its tab.
 */
export const TeamComparisonPanel = (props: {
  state: PanelState<TeamComparisonPanelResponse>;
}) => (
  <PanelCard
    id="team-comparison"
    title="Team comparison"
    subheader="Active developers, acceptance, lines and time saved of each team"
    state={props.state}
    isEmpty={p => p.data.teams === null}
    emptyWhat="teams"
    tabular={table}
  >
    {({ data }) => (
      <>
        <Typography
          variant="caption"
          color="textSecondary"
          component="p"
          paragraph
          data-testid="team-comparison-note"
        >
          The teams you may open (your own and the teams below them; every team
          for telemetry admins) whose own AI Telemetry tab shows figures for
          this range and these filters: at least {data.minGroupSize} opted-in
          members with data, and not a few people apart from a team inside it or
          from the organisation. A team's members include those of its child
          groups. Time saved has no language, so it ignores a language filter.
        </Typography>
        {data.teams &&
          data.totalTeams !== null &&
          data.totalTeams > data.teams.length && (
            <Alert
              severity="info"
              data-testid="team-comparison-most-active"
              style={{ marginBottom: 8 }}
            >
              The {data.teams.length} teams with the most active developers of
              the {formatCount(data.totalTeams)} you may open, sortable among
              themselves. Every team's own AI Telemetry tab has its figures.
            </Alert>
          )}
        {data.teams && data.teams.length > 0 ? (
          <ComparisonTable rows={data.teams} />
        ) : (
          <Alert severity="info" data-testid="team-comparison-none">
            No team to compare: none that you may open has at least{' '}
            {data.minGroupSize} members with data in this range without being a
            few people apart from another view.
          </Alert>
        )}
      </>
    )}
  </PanelCard>
);
