import { Link, Progress } from '@backstage/core-components';
import { discoveryApiRef, useApi } from '@backstage/core-plugin-api';
import { TelemetryTokenResponse } from '@fawkes/plugin-ai-telemetry-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import Typography from '@material-ui/core/Typography';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { ReactNode, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { aiTelemetryApiRef } from '../../api';
import { useMe } from '../../hooks/usePrivacy';
import { useMyDataLink } from '../../hooks/useMyDataLink';
import { failureOf, PanelFailure } from '../../hooks/usePanelStates';
import { formatTimestamp } from '../../lib/format';
import { MyGithubImport } from '../MyGithubImport';
import { CollectedData } from './CollectedData';
import { endpointOf, IdeSnippets, snippetWithoutToken } from './IdeSnippets';
import { OptOutDialog } from './OptOutDialog';
import { RotateDialog } from './RotateDialog';
import { TokenReveal } from './TokenReveal';

type Dialog = 'optOut' | 'rotate';

/**
 * The developer's AI telemetry switch (docs/privacy-model.md#opt-in): what is collected, the
 * telemetry token shown once at opt-in or rotation, IDE set-up, and, when turning off, the
 * offer to erase; on the settings tab also whether their Copilot usage is imported from GitHub.
 * Used as the "AI Telemetry" settings tab and inside the card on the user's own page.
 */
export const OptInSettings = (props: { compact?: boolean }) => {
  const api = useApi(aiTelemetryApiRef);
  const discoveryApi = useApi(discoveryApiRef);
  const me = useMe();
  const myDataLink = useMyDataLink();
  const baseUrl = useAsync(
    () => discoveryApi.getBaseUrl('ai-telemetry'),
    [discoveryApi],
  );
  const [issued, setIssued] = useState<TelemetryTokenResponse>();
  const [dialog, setDialog] = useState<Dialog>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<PanelFailure>();
  const [notice, setNotice] = useState<ReactNode>();

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setFailure(undefined);
    setNotice(undefined);
    try {
      await action();
    } catch (e) {
      setFailure(failureOf(e as Error));
    } finally {
      setBusy(false);
      setDialog(undefined);
      me.retry();
    }
  };

  const optIn = () =>
    act(async () => {
      const answer = await api.setOptIn(true);
      if ('token' in answer) setIssued(answer);
    });

  const optOut = (erase: boolean) =>
    act(async () => {
      setIssued(undefined);
      await api.setOptIn(false, { erase });
      if (!erase) {
        setNotice('AI telemetry is off. Nothing more is collected about you.');
        return;
      }
      setNotice(
        <>
          AI telemetry is off, and the erasure of your data has started.{' '}
          {myDataLink ? (
            <Link to={myDataLink}>Follow it under My data.</Link>
          ) : (
            'Follow it under My data.'
          )}
        </>,
      );
    });

  const rotate = () =>
    act(async () => {
      setIssued(await api.rotateToken());
    });

  if (!me.value) {
    if (me.error) {
      const error = failureOf(me.error);
      return (
        <Alert
          severity="error"
          action={
            <Button color="inherit" size="small" onClick={me.retry}>
              Retry
            </Button>
          }
        >
          <AlertTitle>Could not read your AI telemetry settings</AlertTitle>
          {error.message}
        </Alert>
      );
    }
    return <Progress />;
  }

  const { optedIn, since } = me.value;
  const endpoint =
    (issued && endpointOf(issued.snippet)) ?? baseUrl.value ?? '';
  const snippet = issued?.snippet ?? snippetWithoutToken(endpoint);

  return (
    <div data-testid="ai-telemetry-opt-in">
      <FormControlLabel
        control={
          <Switch
            checked={optedIn}
            disabled={busy}
            color="primary"
            onChange={(_, checked) => (checked ? optIn() : setDialog('optOut'))}
            inputProps={{ 'aria-label': 'Send AI telemetry from my IDEs' }}
          />
        }
        label={
          <Typography variant="subtitle1" component="span">
            Send AI telemetry from my IDEs
          </Typography>
        }
      />
      <Typography variant="body2" color="textSecondary" paragraph>
        {optedIn
          ? `On since ${formatTimestamp(since)}.`
          : 'Off: nothing is collected about you. Turn it on to share counts of your AI assistant use.'}
        {myDataLink && (
          <>
            {' '}
            See everything stored about you under{' '}
            <Link to={myDataLink}>My data</Link>.
          </>
        )}
      </Typography>

      {failure && (
        <Box mb={2}>
          <Alert severity="error" onClose={() => setFailure(undefined)}>
            {failure.message}
          </Alert>
        </Box>
      )}
      {notice && (
        <Box mb={2}>
          <Alert severity="info" onClose={() => setNotice(undefined)}>
            {notice}
          </Alert>
        </Box>
      )}
      {issued && (
        <Box mb={2}>
          <TokenReveal issued={issued} onDone={() => setIssued(undefined)} />
        </Box>
      )}

      {optedIn && (
        <Box mb={2}>
          <Button
            variant="outlined"
            onClick={() => setDialog('rotate')}
            disabled={busy}
          >
            Rotate token
          </Button>
          <Typography variant="caption" color="textSecondary" component="p">
            Issues a new token and stops the current one, e.g. when it may have
            leaked or you lost it.
          </Typography>
        </Box>
      )}

      {!props.compact && (
        <Accordion defaultExpanded>
          <AccordionSummary expandIcon={<ExpandMoreIcon />}>
            <Typography>Copilot usage imported from GitHub</Typography>
          </AccordionSummary>
          <AccordionDetails style={{ display: 'block' }}>
            {/* Whether it is imported follows the switch: read it again when that changes. */}
            <MyGithubImport key={String(optedIn)} />
          </AccordionDetails>
        </Accordion>
      )}
      {optedIn && (
        <Accordion defaultExpanded={!props.compact || !!issued}>
          <AccordionSummary expandIcon={<ExpandMoreIcon />}>
            <Typography>Set up your IDE</Typography>
          </AccordionSummary>
          <AccordionDetails style={{ display: 'block' }}>
            <IdeSnippets
              snippet={snippet}
              endpoint={endpoint}
              token={issued?.token}
            />
          </AccordionDetails>
        </Accordion>
      )}
      <Accordion defaultExpanded={!props.compact}>
        <AccordionSummary expandIcon={<ExpandMoreIcon />}>
          <Typography>Exactly what is collected</Typography>
        </AccordionSummary>
        <AccordionDetails style={{ display: 'block' }}>
          <CollectedData />
        </AccordionDetails>
      </Accordion>

      <OptOutDialog
        open={dialog === 'optOut'}
        busy={busy}
        onCancel={() => setDialog(undefined)}
        onOptOut={optOut}
      />
      <RotateDialog
        open={dialog === 'rotate'}
        busy={busy}
        onCancel={() => setDialog(undefined)}
        onConfirm={rotate}
      />
    </div>
  );
};
