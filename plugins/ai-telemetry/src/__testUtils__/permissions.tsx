import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mockApis } from '@backstage/test-utils';
import { ReactNode } from 'react';
import { SWRConfig } from 'swr';

/** A permission API that allows exactly the named permissions, and denies every other. */
export function permissionApiAllowing(...names: string[]) {
  return mockApis.permission({
    authorize: request =>
      names.includes(request.permission.name)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
  });
}

/**
 * A cache of permission decisions of the test's own: `usePermission` keeps them in SWR's global
 * cache, where a test would otherwise see the previous test's decisions.
 */
export const FreshPermissionCache = (props: { children: ReactNode }) => (
  <SWRConfig value={{ provider: () => new Map() }}>{props.children}</SWRConfig>
);
