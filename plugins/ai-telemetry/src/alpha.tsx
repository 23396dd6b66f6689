import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
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

const aiTelemetryPage = PageBlueprint.make({
  params: {
    path: '/ai-telemetry',
    title: 'AI Telemetry',
    icon: <BubbleChartIcon />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    // The page draws its own Backstage header.
    noHeader: true,
    loader: () =>
      import('./components/AiTelemetryPage').then(m => <m.AiTelemetryPage />),
  },
});

/**
 * The AI Telemetry plugin for apps on the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'ai-telemetry',
  title: 'AI Telemetry',
  icon: <BubbleChartIcon />,
  extensions: [aiTelemetryApi, aiTelemetryPage],
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
});
