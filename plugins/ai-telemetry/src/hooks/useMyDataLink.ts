import { useRouteRef } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../routes';

/** The path of the AI Telemetry page's "My data" tab, or undefined where the page is not mounted. */
export function useMyDataLink(): string | undefined {
  try {
    // useRouteRef throws when the route is not part of the app: the link is then left out.
    // It calls the same hooks before throwing as when it returns, so the hook order is stable.
    const root = useRouteRef(rootRouteRef);
    return `${root()}/my-data`.replace('//', '/');
  } catch {
    return undefined;
  }
}
