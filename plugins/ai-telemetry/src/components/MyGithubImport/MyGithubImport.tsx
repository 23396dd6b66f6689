import { Link, Progress } from '@backstage/core-components';
import {
  MyDataGithubDayChange,
  MyDataGithubImport,
  MyGithubImportResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { useMyGithubImport } from '../../hooks/useGithub';
import { useMyDataLink } from '../../hooks/useMyDataLink';
import { failureOf } from '../../hooks/usePanelStates';
import { formatCount, formatDecimal } from '../../lib/format';
import {
  NOT_IMPORTED_HINTS,
  NOT_IMPORTED_TITLES,
  scopeText,
} from '../../lib/github';
import { labelText } from '../../lib/myData';
import { DataTable, Tabular } from '../DataTable';
import { FailureAlert } from '../FailureAlert';

const METRIC_PREFIX = 'ai_copilot_';

/** "suggestions_total +12, lines_generated +40": what a report day added, by metric. */
export function addedText(changes: MyDataGithubDayChange[]): string {
  const byMetric = new Map<string, number>();
  for (const c of changes) {
    const name = c.metric.startsWith(METRIC_PREFIX)
      ? c.metric.slice(METRIC_PREFIX.length)
      : c.metric;
    byMetric.set(name, (byMetric.get(name) ?? 0) + (c.after - c.before));
  }
  if (byMetric.size === 0) return 'nothing';
  return [...byMetric.entries()]
    .map(([name, added]) => `${name} +${formatDecimal(added)}`)
    .join(', ');
}

function daysTable(
  answer: MyGithubImportResponse,
  ledger: MyDataGithubImport | undefined,
): Tabular {
  const changesOf = new Map(ledger?.days.map(d => [d.day, d.changes]));
  return {
    header: [
      'day (UTC)',
      'Copilot use that day',
      'imported',
      ...(ledger ? ['what it added'] : []),
    ],
    rows: answer.days.map(d => [
      d.day,
      d.active ? 'yes' : 'none reported',
      d.importedAt,
      ...(ledger ? [addedText(changesOf.get(d.day) ?? [])] : []),
    ]),
  };
}

function countersTable(ledger: MyDataGithubImport): Tabular {
  return {
    header: ['metric', 'labels', 'value', 'through day'],
    rows: ledger.counters.map(c => [
      c.metric,
      labelText(c.labels),
      c.value,
      c.throughDay,
    ]),
  };
}

const State = (props: { answer: MyGithubImportResponse }) => {
  const { answer } = props;
  if (answer.imported) {
    return (
      <Alert severity="success" data-testid="github-import-state">
        <AlertTitle>Your Copilot usage is imported from GitHub</AlertTitle>
        Under the login <strong>{answer.login}</strong>, from the usage reports
        of the {scopeText(answer.scope)}: counts per day, never code. For
        Copilot, these figures count instead of what your IDE sends, so nothing
        is counted twice.
      </Alert>
    );
  }
  const reason = answer.reason;
  return (
    <Alert severity="info" data-testid="github-import-state">
      <AlertTitle>
        {reason ? NOT_IMPORTED_TITLES[reason] : 'Not imported from GitHub'}
      </AlertTitle>
      {answer.message} {reason ? NOT_IMPORTED_HINTS[reason] : ''}
      {answer.login && reason !== 'no_login' && (
        <>
          {' '}
          Your GitHub login in the catalog: <strong>{answer.login}</strong>.
        </>
      )}
    </Alert>
  );
};

/**
 * Whether the signed-in developer's Copilot usage is imported from GitHub, under which login,
 * and the days imported; why not, in words, when it is not. With `ledger` (My data) each day
 * also says what it added, and the import's running totals are listed.
 */
export const MyGithubImport = (props: { ledger?: MyDataGithubImport }) => {
  const { ledger } = props;
  const { value, loading, error, retry } = useMyGithubImport();
  const myDataLink = useMyDataLink();

  if (!value) {
    if (loading) return <Progress />;
    return (
      <FailureAlert
        title="Could not read whether your Copilot usage is imported"
        failure={failureOf(error ?? new Error('No answer'))}
        retry={retry}
      />
    );
  }

  return (
    <div data-testid="my-github-import">
      <State answer={value} />
      <Box mt={2}>
        <Typography variant="subtitle2" component="h3">
          Days imported ({formatCount(value.days.length)})
        </Typography>
        {value.days.length === 0 ? (
          <Typography variant="body2">
            {value.imported
              ? 'None yet: the next run of the import brings in your recent days.'
              : 'None.'}
          </Typography>
        ) : (
          <>
            {!value.imported && (
              <Typography variant="body2" paragraph>
                What was imported before stays until you erase your data
                {myDataLink && !ledger ? (
                  <>
                    {' '}
                    (<Link to={myDataLink}>My data</Link>)
                  </>
                ) : (
                  ''
                )}
                .
              </Typography>
            )}
            <DataTable
              caption="Days imported from GitHub"
              data={daysTable(value, ledger)}
            />
          </>
        )}
      </Box>
      {ledger && (
        <Box mt={3}>
          <Typography variant="subtitle2" component="h3">
            Running totals of the import ({formatCount(ledger.counters.length)})
          </Typography>
          <Typography variant="caption" color="textSecondary" component="p">
            What the import wrote to Prometheus at the end of each series' last
            day; the series themselves are listed below with{' '}
            <code>source="github"</code>.
          </Typography>
          {ledger.counters.length === 0 ? (
            <Typography variant="body2">None.</Typography>
          ) : (
            <DataTable
              caption="Running totals of the GitHub import"
              data={countersTable(ledger)}
            />
          )}
        </Box>
      )}
    </div>
  );
};
