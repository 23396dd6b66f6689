import { useApi } from '@backstage/core-plugin-api';
import { AuditLogResponse } from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { aiTelemetryApiRef } from '../../api';
import { failureOf } from '../../hooks/usePanelStates';
import { DataTable } from '../DataTable';
import { FailureAlert } from '../FailureAlert';
import { AdminCard, Empty, Loading } from './AdminCard';

/** Entries read at a time. */
const PAGE_SIZE = 100;

/**
 * The audit log (permission `ai-telemetry.data.erase`): opt-ins, exports, erasures (...) with their
 * time, actor, action and subject, newest first, a page at a time.
 */
export const AuditLogCard = () => {
  const api = useApi(aiTelemetryApiRef);
  const [older, setOlder] = useState<AuditLogResponse[]>([]);
  const newest = useAsyncRetry(async () => {
    const page = await api.getAuditLog({ limit: PAGE_SIZE });
    setOlder([]);
    return page;
  }, [api]);
  const [more, loadMore] = useAsyncFn(
    async (before: string) => {
      const page = await api.getAuditLog({ limit: PAGE_SIZE, before });
      setOlder(current => [...current, page]);
    },
    [api],
  );

  const pages = newest.value ? [newest.value, ...older] : [];
  const entries = pages.flatMap(p => p.entries);
  const nextBefore = pages[pages.length - 1]?.nextBefore;

  let body;
  if (newest.error) {
    body = (
      <FailureAlert
        title="Could not read the audit log"
        failure={failureOf(newest.error)}
        retry={newest.retry}
      />
    );
  } else if (!newest.value) {
    body = <Loading what="the audit log" />;
  } else if (entries.length === 0) {
    body = <Empty>The audit log is empty.</Empty>;
  } else {
    body = (
      <DataTable
        caption="Audit log"
        data={{
          header: ['time', 'actor', 'action', 'subject', 'detail'],
          rows: entries.map(e => [
            e.at,
            e.actor,
            e.action,
            e.subject,
            e.detail,
          ]),
        }}
      />
    );
  }

  return (
    <AdminCard
      id="audit-log"
      title="Audit log"
      subheader="Who did what with whose data, newest first"
    >
      {body}
      {more.error && (
        <Box mt={2}>
          <FailureAlert
            title="Could not read older entries"
            failure={failureOf(more.error)}
          />
        </Box>
      )}
      <Box display="flex" mt={1} style={{ gap: 8 }}>
        {nextBefore && (
          <Button
            size="small"
            onClick={() => loadMore(nextBefore)}
            disabled={more.loading}
          >
            Older entries
          </Button>
        )}
        {newest.value && (
          <Button size="small" onClick={newest.retry} disabled={newest.loading}>
            Refresh
          </Button>
        )}
      </Box>
    </AdminCard>
  );
};
