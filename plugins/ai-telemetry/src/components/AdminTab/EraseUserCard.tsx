import { parseEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import DeleteForeverIcon from '@material-ui/icons/DeleteForever';
import ListIcon from '@material-ui/icons/List';
import { FormEvent, useState } from 'react';
import { aiTelemetryApiRef } from '../../api';
import { failureOf, PanelFailure } from '../../hooks/usePanelStates';
import { useAdminErasureJobs } from '../../hooks/usePrivacy';
import { formatTimestamp } from '../../lib/format';
import { ConfirmDialog } from '../ConfirmDialog';
import { DataTable } from '../DataTable';
import { ErasureStatus } from '../ErasureStatus';
import { FailureAlert } from '../FailureAlert';
import { AdminCard, Empty, Loading } from './AdminCard';

/** Why the text is not a User's entity ref, or nothing when it is one (or still empty). */
function refProblem(text: string): string | undefined {
  if (text === '') return undefined;
  try {
    const ref = parseEntityRef(text);
    return ref.kind.toLocaleLowerCase('en-US') === 'user'
      ? undefined
      : `${text} is a ${ref.kind}, not a User`;
  } catch {
    return 'Not an entity ref like user:default/jane.doe';
  }
}

/** A user's erasure jobs: the newest step by step (polled while it runs), the earlier ones in a table. */
const ErasureJobs = (props: { userEntityRef: string }) => {
  const { userEntityRef } = props;
  const jobs = useAdminErasureJobs(userEntityRef);
  if (jobs.error) {
    return (
      <FailureAlert
        title={`Could not read the erasure jobs of ${userEntityRef}`}
        failure={failureOf(jobs.error)}
        retry={jobs.retry}
      />
    );
  }
  if (!jobs.value) return <Loading what="erasure jobs" />;
  if (jobs.value.length === 0) {
    return <Empty>No erasure jobs for {userEntityRef}.</Empty>;
  }
  const [latest, ...earlier] = jobs.value;
  return (
    <>
      <ErasureStatus job={latest} whose="their" />
      {earlier.length > 0 && (
        <DataTable
          caption="Earlier erasure jobs"
          data={{
            header: ['requested', 'by', 'state', 'finished', 'reason'],
            rows: earlier.map(job => [
              formatTimestamp(job.createdAt),
              job.requestedBy,
              job.state,
              formatTimestamp(job.finishedAt),
              job.reason,
            ]),
          }}
        />
      )}
    </>
  );
};

/**
 * Erasure on a user's behalf (permission `ai-telemetry.data.erase`), e.g. for a request that
 * arrived by mail: the user's ref and a reason, a confirmation, then their jobs as they run.
 */
export const EraseUserCard = () => {
  const api = useApi(aiTelemetryApiRef);
  const [refText, setRefText] = useState('');
  const [reason, setReason] = useState('');
  // Whose jobs are shown; `n` draws them afresh (read again) after each request.
  const [shown, setShown] = useState<{ ref: string; n: number }>();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<PanelFailure>();

  const ref = refText.trim();
  const problem = refProblem(ref);
  const usable = ref !== '' && !problem;

  const showJobs = (event: FormEvent) => {
    event.preventDefault();
    if (usable) setShown(current => ({ ref, n: (current?.n ?? 0) + 1 }));
  };

  const erase = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      const job = await api.requestErasureFor(ref, reason.trim() || undefined);
      setReason('');
      setShown(current => ({
        ref: job.userEntityRef,
        n: (current?.n ?? 0) + 1,
      }));
    } catch (e) {
      setFailure(failureOf(e as Error));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <AdminCard
      id="erase-user"
      title="Erase a developer's data"
      subheader="On their behalf, e.g. for a request that arrived by mail"
    >
      <Typography variant="body2" paragraph>
        Stops collection for the developer and deletes everything stored under
        their pseudonym, everywhere, verified step by step. The request is
        recorded in the audit log with you as the one who asked.
      </Typography>
      <form onSubmit={showJobs} aria-label="Developer to erase">
        <TextField
          id="ai-telemetry-erase-user"
          label="User entity ref"
          placeholder="user:default/jane.doe"
          value={refText}
          onChange={e => setRefText(e.target.value)}
          error={!!problem}
          helperText={problem ?? 'user:namespace/name'}
          fullWidth
          variant="outlined"
          size="small"
          margin="dense"
        />
        <TextField
          id="ai-telemetry-erase-reason"
          label="Reason (optional)"
          placeholder="request by mail of 3 November"
          value={reason}
          onChange={e => setReason(e.target.value)}
          inputProps={{ maxLength: 1000 }}
          fullWidth
          variant="outlined"
          size="small"
          margin="dense"
        />
        <Box display="flex" flexWrap="wrap" mt={1} mb={2} style={{ gap: 8 }}>
          <Button
            type="submit"
            variant="outlined"
            startIcon={<ListIcon />}
            disabled={!usable}
          >
            Show jobs
          </Button>
          <Button
            variant="contained"
            color="secondary"
            startIcon={<DeleteForeverIcon />}
            onClick={() => setConfirming(true)}
            disabled={!usable || busy}
          >
            Erase…
          </Button>
        </Box>
      </form>
      {failure && (
        <Box mb={2}>
          <FailureAlert title="The erasure did not start" failure={failure} />
        </Box>
      )}
      {shown && <ErasureJobs key={shown.n} userEntityRef={shown.ref} />}
      <ConfirmDialog
        id="admin-erase"
        title={`Erase all AI telemetry of ${ref}?`}
        open={confirming}
        busy={busy}
        onCancel={() => setConfirming(false)}
        choices={[
          {
            label: 'Erase their data',
            onChoose: erase,
            emphasis: 'secondary',
          },
        ]}
      >
        This stops collection for {ref} and deletes everything stored under
        their pseudonym: their running totals in the portal, any legacy
        Pushgateway groups, and every series in Prometheus over its whole
        retention. It cannot be undone.
        {reason.trim() ? ` Reason recorded: ${reason.trim()}.` : ''}
      </ConfirmDialog>
    </AdminCard>
  );
};
