import { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, identityApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { act, screen, waitFor } from '@testing-library/react';
import { aiTelemetryApiRef } from '../../api';
import { meOptedIn, mockApi } from '../../testing/fixtures';
import { UserOptInCard } from './UserOptInCard';

function user(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: {},
  };
}

async function renderFor(entity: Entity) {
  const api = mockApi({ getMe: jest.fn().mockResolvedValue(meOptedIn) });
  const identity = {
    getBackstageIdentity: jest.fn(async () => ({
      type: 'user' as const,
      userEntityRef: 'user:default/guest',
      ownershipEntityRefs: [],
    })),
  };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [aiTelemetryApiRef, api],
        [identityApiRef, identity],
        [
          discoveryApiRef,
          { getBaseUrl: async () => 'http://localhost/api/ai-telemetry' },
        ],
      ]}
    >
      <EntityProvider entity={entity}>
        <UserOptInCard />
      </EntityProvider>
    </TestApiProvider>,
  );
  return { api, identity };
}

describe('UserOptInCard', () => {
  it("shows the switch on the signed-in user's own page", async () => {
    await renderFor(user('guest'));
    expect(
      await screen.findByRole('checkbox', {
        name: 'Send AI telemetry from my IDEs',
      }),
    ).toBeChecked();
    expect(screen.getByText('Only you see this card')).toBeInTheDocument();
  });

  it("draws nothing on someone else's page", async () => {
    const { api, identity } = await renderFor(user('ada.lovelace'));
    // Once the identity has resolved, nothing is drawn and nothing is asked for.
    await waitFor(() =>
      expect(identity.getBackstageIdentity).toHaveBeenCalled(),
    );
    await act(() => Promise.resolve());
    expect(screen.queryByText('AI Telemetry')).toBeNull();
    expect(api.getMe).not.toHaveBeenCalled();
  });
});
