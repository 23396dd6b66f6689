import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { MyDataResponse } from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import DeleteForeverIcon from '@material-ui/icons/DeleteForever';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useEffect, useMemo, useRef, useState } from 'react';
import { aiTelemetryApiRef, MyDataFormat } from '../../api';
import {
  failureOf,
  PanelFailure,
  PanelState,
} from '../../hooks/usePanelStates';
import {
  isErasureActive,
  useErasureJobs,
  useMyData,
} from '../../hooks/usePrivacy';
import { saveFile } from '../../lib/download';
import { formatTimestamp, isoTime } from '../../lib/format';
import { labelText, personalDaily } from '../../lib/myData';
import { DataTable, Tabular } from '../DataTable';
import { EraseDialog } from '../EraseDialog';
import { FailureAlert } from '../FailureAlert';
import { ErasureStatus } from '../ErasureStatus';
import { MyGithubImport } from '../MyGithubImport';
import { PersonalCharts, PersonalPanel } from './PersonalCharts';

function seriesTable(data: MyDataResponse): Tabular {
  return {
    header: [
      'metric',
      'labels (besides user_hash)',
      'samples',
      'latest value',
      'latest sample',
    ],
    rows: data.series.map(s => {
      const last = s.samples[s.samples.length - 1];
      return [
        s.metric,
        labelText(s.labels, { withoutUserHash: true }),
        s.samples.length,
        last?.[1],
        last ? formatTimestamp(isoTime(last[0])) : undefined,
      ];
    }),
  };
}

function countersTable(data: MyDataResponse): Tabular {
  return {
    header: [
      'metric',
      'labels (besides user_hash)',
      'value',
      'first seen',
      'updated',
    ],
    rows: data.counters.map(c => [
      c.metric,
      labelText(c.labels, { withoutUserHash: true }),
      c.value,
      formatTimestamp(c.firstSeen),
      formatTimestamp(c.updatedAt),
    ]),
  };
}

/**
 * Everything stored about the signed-in developer (docs/privacy-model.md#my-data): pseudonym,
 * opt-in history, their own charts, what the GitHub Copilot import brought in, every series and
 * counter, downloads, and erasure with its live state.
 */
export const MyDataTab = () => {
  const api = useApi(aiTelemetryApiRef);
  const myData = useMyData();
  const jobs = useErasureJobs();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<PanelFailure>();

  const latestJob = jobs.value?.[0] ?? myData.value?.erasureJobs[0];
  const erasing = isErasureActive(latestJob);

  // Once a job finishes, what is stored has changed: read it again.
  const wasErasing = useRef(false);
  const { retry: reloadData } = myData;
  useEffect(() => {
    if (wasErasing.current && !erasing) reloadData();
    wasErasing.current = erasing;
  }, [erasing, reloadData]);

  const personal: PanelState<PersonalPanel> = useMemo(
    () => ({
      loading: myData.loading && !myData.value,
      error: myData.error ? failureOf(myData.error) : undefined,
      panel: myData.value
        ? { queries: [], data: personalDaily(myData.value.series) }
        : undefined,
      retry: myData.retry,
    }),
    [myData.loading, myData.error, myData.value, myData.retry],
  );

  const download = async (format: MyDataFormat) => {
    setFailure(undefined);
    try {
      const blob = await api.downloadMyData(format);
      saveFile(blob, `ai-telemetry-my-data.${format}`);
    } catch (e) {
      setFailure(failureOf(e as Error));
    }
  };

  const erase = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      await api.requestErasure();
    } catch (e) {
      setFailure(failureOf(e as Error));
    } finally {
      setBusy(false);
      setConfirming(false);
      jobs.retry();
    }
  };

  const data = myData.value;

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <InfoCard title="About you">
          {!data && myData.loading && <Progress />}
          {myData.error && (
            <FailureAlert
              title="Could not read your data"
              failure={failureOf(myData.error)}
              retry={myData.retry}
            />
          )}
          {data && (
            <>
              <Typography variant="body2" paragraph>
                Signed in as <strong>{data.userEntityRef}</strong>. AI telemetry
                is <strong>{data.optedIn ? 'on' : 'off'}</strong>
                {data.optedIn && data.since
                  ? ` since ${formatTimestamp(data.since)}`
                  : ''}
                .
              </Typography>
              <Typography variant="subtitle2" component="h3">
                Your pseudonym
              </Typography>
              <Typography
                variant="body2"
                style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
                data-testid="pseudonym"
              >
                {data.userHash ?? 'none yet (you have never opted in)'}
              </Typography>
              <Typography
                variant="caption"
                color="textSecondary"
                component="p"
                paragraph
              >
                The <code>user_hash</code> label on your series: a keyed hash of
                your user that only the portal can compute. Dashboards show
                totals only, never this value.
              </Typography>
              <Typography variant="subtitle2" component="h3">
                Opt-in history
              </Typography>
              {data.history.length === 0 ? (
                <Typography variant="body2">No changes yet.</Typography>
              ) : (
                <DataTable
                  caption="Opt-in history"
                  data={{
                    header: ['when (UTC)', 'change'],
                    rows: data.history.map(h => [
                      formatTimestamp(h.at),
                      h.enabled ? 'turned on' : 'turned off',
                    ]),
                  }}
                />
              )}
              <Typography variant="caption" color="textSecondary" component="p">
                Series cover {formatTimestamp(data.from)} to{' '}
                {formatTimestamp(data.to)}, one sample every {data.step} s.
              </Typography>
            </>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Download or erase">
          <Typography variant="body2" paragraph>
            Download everything stored about you, or erase it everywhere.
          </Typography>
          <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} mb={2}>
            <Button
              variant="outlined"
              startIcon={<GetAppIcon />}
              onClick={() => download('json')}
            >
              Download JSON
            </Button>
            <Button
              variant="outlined"
              startIcon={<GetAppIcon />}
              onClick={() => download('csv')}
            >
              Download CSV
            </Button>
            <Button
              variant="contained"
              color="secondary"
              startIcon={<DeleteForeverIcon />}
              onClick={() => setConfirming(true)}
              disabled={busy || erasing}
            >
              Erase all my data
            </Button>
          </Box>
          {failure && (
            <Box mb={2}>
              <FailureAlert title="That did not work" failure={failure} />
            </Box>
          )}
          {jobs.error && !latestJob && (
            <Typography variant="caption" color="textSecondary" component="p">
              Erasure jobs could not be read: {failureOf(jobs.error).message}
            </Typography>
          )}
          {latestJob && <ErasureStatus job={latestJob} />}
        </InfoCard>
      </Grid>
      {!myData.error && (
        <Grid item xs={12}>
          <PersonalCharts state={personal} />
        </Grid>
      )}
      {data && (
        <Grid item xs={12}>
          <InfoCard
            title="Copilot usage imported from GitHub"
            subheader="Whether the GitHub Copilot import covers you, under which login, each day it imported and what the day added"
          >
            <MyGithubImport
              key={`${data.optedIn}:${data.githubImport?.days.length ?? 0}`}
              ledger={data.githubImport}
            />
          </InfoCard>
        </Grid>
      )}
      {data && (
        <Grid item xs={12}>
          <InfoCard
            title="Every stored series"
            subheader={`${data.series.length} series in Prometheus carry your pseudonym as user_hash; each with its latest value`}
          >
            {data.series.length === 0 ? (
              <Typography variant="body2">
                Prometheus holds no series with your pseudonym.
                {data.counters.length > 0 &&
                  ' Your newest counts below reach it at its next scrape, within seconds.'}
              </Typography>
            ) : (
              <DataTable
                caption="Series in Prometheus"
                data={seriesTable(data)}
              />
            )}
            <Box mt={3}>
              <Typography variant="subtitle2" component="h3">
                Running totals in the portal database ({data.counters.length})
              </Typography>
              {data.counters.length === 0 ? (
                <Typography variant="body2">None.</Typography>
              ) : (
                <DataTable
                  caption="Running totals"
                  data={countersTable(data)}
                />
              )}
            </Box>
            <Box mt={3}>
              <Typography variant="subtitle2" component="h3">
                Legacy Pushgateway groups ({data.pushgatewayGroups.length})
              </Typography>
              {data.pushgatewayGroups.map((g, i) => (
                <Typography
                  key={i}
                  variant="body2"
                  style={{ fontFamily: 'monospace' }}
                >
                  {labelText(g.labels)}
                </Typography>
              ))}
            </Box>
          </InfoCard>
        </Grid>
      )}
      <EraseDialog
        open={confirming}
        busy={busy}
        onCancel={() => setConfirming(false)}
        onConfirm={erase}
      />
    </Grid>
  );
};
