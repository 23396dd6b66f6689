import Button from '@material-ui/core/Button';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { PanelFailure } from '../../hooks/usePanelStates';

/** The backend's answer to a request that failed, word for word, with its HTTP status. */
export const FailureAlert = (props: {
  title: string;
  failure: PanelFailure;
  retry?: () => void;
}) => (
  <Alert
    severity="error"
    action={
      props.retry && (
        <Button color="inherit" size="small" onClick={props.retry}>
          Retry
        </Button>
      )
    }
  >
    <AlertTitle>{props.title}</AlertTitle>
    {props.failure.message}
    {props.failure.statusCode ? ` (HTTP ${props.failure.statusCode})` : ''}
  </Alert>
);
