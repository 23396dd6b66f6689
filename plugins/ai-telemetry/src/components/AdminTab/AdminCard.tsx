import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';

/** A card of the Admin tab: its title is a heading, and `admin-<id>` its test id. */
export const AdminCard = (props: {
  id: string;
  title: string;
  subheader?: ReactNode;
  children: ReactNode;
}) => (
  <div data-testid={`admin-${props.id}`} style={{ height: '100%' }}>
    <InfoCard
      title={props.title}
      subheader={props.subheader}
      titleTypographyProps={{ component: 'h2' }}
    >
      {props.children}
    </InfoCard>
  </div>
);

/** What a card shows while an answer is on its way. */
export const Loading = (props: { what: string }) => (
  <Box py={2} aria-busy="true">
    <LinearProgress aria-label={`Loading ${props.what}`} />
    <Typography variant="body2" color="textSecondary">
      Loading…
    </Typography>
  </Box>
);

/** What a card says when there is nothing to list. */
export const Empty = (props: { children: ReactNode }) => (
  <Typography variant="body2" color="textSecondary" data-testid="admin-empty">
    {props.children}
  </Typography>
);
