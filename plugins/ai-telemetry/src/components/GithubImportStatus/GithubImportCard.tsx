import {
  InfoCard,
  Progress,
  StructuredMetadataTable,
} from '@backstage/core-components';
import {
  GithubImportError,
  GithubImportRun,
  GithubImportStatusResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { LiveAsyncState } from '../../hooks/useLiveAsync';
import { failureOf } from '../../hooks/usePanelStates';
import { formatCount, formatTimestamp } from '../../lib/format';
import {
  IMPORT_ERROR_HINTS,
  IMPORT_ERROR_TITLES,
  scopeText,
} from '../../lib/github';
import { FailureAlert } from '../FailureAlert';
import { GithubImportOff } from './GithubImportOff';

type Enabled = Extract<GithubImportStatusResponse, { enabled: true }>;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function runText(run: GithubImportRun | undefined): string {
  if (!run) return 'none yet';
  if (run.outcome === 'running') {
    return `running since ${formatTimestamp(run.startedAt)}`;
  }
  const parts = [
    `${run.outcome} ${formatTimestamp(run.finishedAt ?? run.startedAt)}`,
    `${plural(run.daysImported, 'day')} imported`,
  ];
  if (run.daysNotPublished > 0) {
    parts.push(
      `${plural(run.daysNotPublished, 'day')} not published by GitHub yet`,
    );
  }
  return parts.join(', ');
}

/** Why the import fails, for telemetry admins: the reason, GitHub's answer, when it tries again. */
const GithubImportErrorAlert = (props: { error: GithubImportError }) => {
  const { error } = props;
  return (
    <Alert severity="error" data-testid="github-import-error">
      <AlertTitle>{IMPORT_ERROR_TITLES[error.reason]}</AlertTitle>
      <Typography
        variant="body2"
        component="p"
        gutterBottom
        style={{ overflowWrap: 'anywhere' }}
      >
        {error.message}
        {error.status ? ` (HTTP ${error.status})` : ''}
      </Typography>
      <Typography variant="body2" component="p" gutterBottom>
        Since {formatTimestamp(error.at)},{' '}
        {error.consecutiveFailures === 1
          ? 'on the last run'
          : `${formatCount(error.consecutiveFailures)} runs in a row`}
        {error.day ? `, at the report of ${error.day}` : ''}.
        {error.retryAt
          ? ` Next try ${
              error.reason === 'rate_limited' ? 'as GitHub allows, ' : ''
            }at ${formatTimestamp(error.retryAt)}.`
          : ''}
      </Typography>
      <Typography variant="body2" component="p">
        {IMPORT_ERROR_HINTS[error.reason]}
      </Typography>
    </Alert>
  );
};

/** The import's failure as a developer who is not an administrator sees it: that it fails, not why. */
const FailingAlert = (props: { status: Enabled }) => {
  const { status } = props;
  return (
    <Alert severity="warning" data-testid="github-import-failing">
      <AlertTitle>The GitHub import is failing</AlertTitle>
      The last run
      {status.lastRun?.finishedAt
        ? ` (${formatTimestamp(status.lastRun.finishedAt)})`
        : ''}{' '}
      failed, so Copilot figures stop at{' '}
      {status.importedThrough ?? 'the last imported day'} until it recovers.
      Telemetry administrators see why here.
    </Alert>
  );
};

function details(status: Enabled) {
  const days =
    status.importedFrom && status.importedThrough
      ? `${status.importedFrom} to ${status.importedThrough}`
      : 'none yet';
  return {
    Reads: `the Copilot usage reports and seats of the ${scopeText(
      status.scope,
    )}`,
    'Copilot counted from': status.usageImported
      ? 'the GitHub import (Copilot events from IDE clients of imported developers are not counted again)'
      : 'IDE clients: the import reads seats only (sourceOfTruth: clients)',
    ...(status.usageImported && {
      'Developers imported': `${formatCount(
        status.importedDevelopers,
      )} (opted in, with a github.com/user-login)`,
      'Days imported': days,
      'Published by GitHub through':
        status.latestPublishedDay ?? 'not known yet',
      'New developers back-filled': `${plural(status.backfillDays, 'day')}`,
    }),
    'Last run': runText(status.lastRun),
    'Last success': formatTimestamp(status.lastSuccessAt),
    ...(status.nextRunAt && {
      'Next run': formatTimestamp(status.nextRunAt),
    }),
  };
}

/**
 * The GitHub Copilot import on the organisation page: what it reads, which days it brought in,
 * its last run, and when it fails why (to telemetry admins; others see that it fails). When it
 * is off, that it is and what turns it on (the seats panel shows the configuration).
 */
export const GithubImportCard = (props: {
  state: LiveAsyncState<GithubImportStatusResponse>;
}) => {
  const { loading, error, value, retry } = props.state;
  let body;
  if (!value && loading) {
    body = <Progress />;
  } else if (!value) {
    body = (
      <FailureAlert
        title="Could not read the GitHub import's state"
        failure={failureOf(error ?? new Error('No answer'))}
        retry={retry}
      />
    );
  } else if (!value.enabled) {
    // The Copilot seats panel on the same page shows the configuration; once is enough.
    body = <GithubImportOff message={value.message} showConfig={false} />;
  } else {
    let alert;
    if (value.lastError) {
      alert = <GithubImportErrorAlert error={value.lastError} />;
    } else if (value.failing) {
      alert = <FailingAlert status={value} />;
    } else if (!value.lastRun) {
      alert = (
        <Alert severity="info">
          The import has not run yet: it starts a minute after the backend and
          then runs on its schedule.
        </Alert>
      );
    }
    body = (
      <>
        {alert && <Box mb={2}>{alert}</Box>}
        <StructuredMetadataTable
          metadata={details(value)}
          options={{ titleFormat: (key: string) => key }}
        />
      </>
    );
  }
  return (
    <InfoCard title="GitHub Copilot import">
      <div data-testid="github-import">{body}</div>
    </InfoCard>
  );
};
