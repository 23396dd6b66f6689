import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
  SubPageBlueprint,
} from '@backstage/frontend-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import BubbleChartIcon from '@material-ui/icons/BubbleChart';
import { aiTelemetryApiRef, AiTelemetryClient } from './api';
import { rootRouteRef } from './routes';

const aiTelemetryApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: aiTelemetryApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AiTelemetryClient(deps),
    }),
});

/** `/ai-telemetry`: the organisation overview and My data. */
const aiTelemetryPage = PageBlueprint.make({
  params: {
    path: '/ai-telemetry',
    title: 'AI Telemetry',
    icon: <BubbleChartIcon />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    // The page draws its own Backstage header and tabs.
    noHeader: true,
    loader: () =>
      import('./components/AiTelemetryPage').then(m => <m.AiTelemetryPage />),
  },
});

/** The "AI Telemetry" tab of Group entity pages. */
const teamContent = EntityContentBlueprint.make({
  name: 'team',
  params: {
    path: 'ai-telemetry',
    title: 'AI Telemetry',
    filter: { kind: 'group' },
    loader: () =>
      import('./components/TeamAiTelemetryContent').then(m => (
        <m.TeamAiTelemetryContent />
      )),
  },
});

/** The opt-in card on User entity pages (drawn on the signed-in user's own page only). */
const optInCard = EntityCardBlueprint.make({
  name: 'opt-in',
  params: {
    type: 'content',
    filter: { kind: 'user' },
    loader: () =>
      import('./components/UserOptInCard').then(m => <m.UserOptInCard />),
  },
});

/** The "AI Telemetry" tab of the user settings page. */
const settingsPage = SubPageBlueprint.make({
  name: 'settings',
  attachTo: { id: 'page:user-settings', input: 'pages' },
  params: {
    path: 'ai-telemetry',
    title: 'AI Telemetry',
    loader: async () => {
      const [{ OptInSettings }, { Content }] = await Promise.all([
        import('./components/OptInSettings'),
        import('@backstage/core-components'),
      ]);
      return (
        <Content>
          <OptInSettings />
        </Content>
      );
    },
  },
});

/**
 * The AI Telemetry plugin for apps on the new frontend system: the page, the Group tab, the
 * User card, the settings tab, and the API client.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'ai-telemetry',
  title: 'AI Telemetry',
  icon: <BubbleChartIcon />,
  extensions: [
    aiTelemetryApi,
    aiTelemetryPage,
    teamContent,
    optInCard,
    settingsPage,
  ],
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
});
