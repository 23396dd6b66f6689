import Grid from '@material-ui/core/Grid';
import Alert from '@material-ui/lab/Alert';
import { useAdminAccess } from '../../hooks/useAdminAccess';
import { Loading } from './AdminCard';
import { AuditLogCard } from './AuditLogCard';
import { EraseUserCard } from './EraseUserCard';
import { PromQlConsoleCard } from './PromQlConsoleCard';

/**
 * The telemetry administrators' tab (docs/privacy-model.md#who-sees-what): the PromQL console
 * for holders of `ai-telemetry.query.raw`, erasure on a user's behalf and the audit log for
 * holders of `ai-telemetry.data.erase`. The backend checks the same permissions on every request.
 */
export const AdminTab = () => {
  const access = useAdminAccess();
  if (access.loading) return <Loading what="your permissions" />;
  if (!access.rawQuery && !access.erase) {
    return (
      <Alert severity="info">
        This tab is for telemetry administrators: it needs the permission
        ai-telemetry.query.raw or ai-telemetry.data.erase.
      </Alert>
    );
  }
  return (
    <Grid container spacing={3}>
      {access.rawQuery && (
        <Grid item xs={12}>
          <PromQlConsoleCard />
        </Grid>
      )}
      {access.erase && (
        <>
          <Grid item xs={12} lg={5}>
            <EraseUserCard />
          </Grid>
          <Grid item xs={12} lg={7}>
            <AuditLogCard />
          </Grid>
        </>
      )}
    </Grid>
  );
};
