import { GithubImportStatusResponse } from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Alert from '@material-ui/lab/Alert';
import { LiveAsyncState } from '../../hooks/useLiveAsync';
import { formatCount, formatTimestamp } from '../../lib/format';
import { scopeText } from '../../lib/github';

/**
 * One line above a dashboard saying which figures come from the GitHub Copilot import and up
 * to which day, and that the import fails when it does. Nothing while it loads, when the import
 * is off or counts seats only, or when its state cannot be read (the import's card says why).
 */
export const GithubImportNote = (props: {
  state: LiveAsyncState<GithubImportStatusResponse>;
  /** Where the import's details are, e.g. "below". */
  detailsAt?: string;
}) => {
  const status = props.state.value;
  if (!status?.enabled || !status.usageImported) return null;
  const developers = `${formatCount(status.importedDevelopers)} ${
    status.importedDevelopers === 1 ? 'developer' : 'developers'
  }`;
  // The figures are the organisation's, also on a team's tab: say so.
  const source = `GitHub's Copilot usage reports, imported for the ${developers} of the ${scopeText(
    status.scope,
  )} who opted in`;
  const last = status.lastSuccessAt
    ? ` Last imported ${formatTimestamp(status.lastSuccessAt)}.`
    : '';
  const text = status.importedThrough
    ? `Copilot figures up to ${status.importedThrough} come from ${source}, each on the day it happened; later days follow once GitHub publishes their reports.${last}`
    : `Copilot figures will come from ${source}, once the import has read its first day.`;
  const failing = status.failing
    ? ` The import is failing at the moment${
        props.detailsAt
          ? `: see "GitHub Copilot import" ${props.detailsAt}`
          : ''
      }.`
    : '';
  return (
    <Box mb={2}>
      <Alert
        severity={status.failing ? 'warning' : 'info'}
        data-testid="github-import-note"
      >
        {text}
        {failing}
      </Alert>
    </Box>
  );
};
