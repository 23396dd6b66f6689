import {
  Header,
  Page,
  SupportButton,
  TabbedLayout,
} from '@backstage/core-components';
import { useAdminAccess } from '../../hooks/useAdminAccess';
import { AdminTab } from '../AdminTab';
import { MyDataTab } from '../MyDataTab';
import { OverviewTab } from '../OverviewTab';

/**
 * The AI Telemetry page of the portal: the organisation's overview, the developer's own data,
 * and, for telemetry administrators, the Admin tab.
 */
export const AiTelemetryPage = () => {
  const admin = useAdminAccess();
  return (
    <Page themeId="tool">
      <Header
        title="AI Telemetry"
        subtitle="How AI coding assistants are used across the organisation: opt-in, counts only, never code"
      >
        <SupportButton>
          Counts reported by the IDEs and assistants of developers who opted in:
          suggestions shown and accepted, lines accepted, time saved and
          features used, by language and assistant. Opt in under Settings → AI
          Telemetry.
        </SupportButton>
      </Header>
      <TabbedLayout>
        <TabbedLayout.Route path="/" title="Overview">
          <OverviewTab />
        </TabbedLayout.Route>
        <TabbedLayout.Route path="/my-data" title="My data">
          <MyDataTab />
        </TabbedLayout.Route>
        {(admin.rawQuery || admin.erase) && (
          <TabbedLayout.Route path="/admin" title="Admin">
            <AdminTab />
          </TabbedLayout.Route>
        )}
      </TabbedLayout>
    </Page>
  );
};
