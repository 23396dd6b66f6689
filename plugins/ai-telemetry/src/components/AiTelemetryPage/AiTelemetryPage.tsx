import {
  Header,
  Page,
  SupportButton,
  TabbedLayout,
} from '@backstage/core-components';
import { MyDataTab } from '../MyDataTab';
import { OverviewTab } from '../OverviewTab';

/** The AI Telemetry page of the portal: the organisation's overview, and the developer's own data. */
export const AiTelemetryPage = () => (
  <Page themeId="tool">
    <Header
      title="AI Telemetry"
      subtitle="How AI coding assistants are used across the organisation: opt-in, counts only, never code"
    >
      <SupportButton>
        Counts reported by the IDEs and assistants of developers who opted in:
        suggestions shown and accepted, lines accepted, time saved and features
        used, by language and assistant. Opt in under Settings → AI Telemetry.
      </SupportButton>
    </Header>
    <TabbedLayout>
      <TabbedLayout.Route path="/" title="Overview">
        <OverviewTab />
      </TabbedLayout.Route>
      <TabbedLayout.Route path="/my-data" title="My data">
        <MyDataTab />
      </TabbedLayout.Route>
    </TabbedLayout>
  </Page>
);
