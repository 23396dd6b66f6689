import {
  Content,
  ContentHeader,
  Header,
  Page,
  SupportButton,
} from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { StackHealthCard } from '../StackHealthCard';

/** The AI Telemetry page of the portal. */
export const AiTelemetryPage = () => (
  <Page themeId="tool">
    <Header
      title="AI Telemetry"
      subtitle="How AI coding assistants are used across the organisation: opt-in, counts only, never code"
    />
    <Content>
      <ContentHeader title="Overview">
        <SupportButton>
          Counts reported by IDEs and assistants of developers who opted in:
          suggestions shown and accepted, lines accepted, time saved and
          features used, by language and assistant.
        </SupportButton>
      </ContentHeader>
      <Grid container spacing={3}>
        <Grid item xs={12} md={6}>
          <StackHealthCard />
        </Grid>
      </Grid>
    </Content>
  </Page>
);
