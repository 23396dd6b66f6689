import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import { OptInSettings } from '../OptInSettings';

/**
 * The AI telemetry switch on a User entity page, drawn only on the signed-in user's own page
 * (nobody can see or change someone else's opt-in).
 */
export const UserOptInCard = () => {
  const { entity } = useEntity();
  const identityApi = useApi(identityApiRef);
  const identity = useAsync(
    () => identityApi.getBackstageIdentity(),
    [identityApi],
  );
  const own =
    identity.value?.userEntityRef.toLocaleLowerCase('en-US') ===
    stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  if (!own) return null;
  return (
    <InfoCard title="AI Telemetry" subheader="Only you see this card">
      <OptInSettings compact />
    </InfoCard>
  );
};
