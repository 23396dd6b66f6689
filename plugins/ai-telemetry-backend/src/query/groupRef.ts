import { KubernetesValidatorFunctions } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

/**
 * Checks the parts of a Group's entity ref taken from a URL, before they reach the permission
 * policy or the catalog; an InputError names the part that is not a catalog name.
 */
export function validateGroupRef(group: { namespace: string; name: string }) {
  if (!KubernetesValidatorFunctions.isValidNamespace(group.namespace)) {
    throw new InputError(
      `namespace "${group.namespace.slice(0, 64)}" is not a catalog namespace`,
    );
  }
  if (!KubernetesValidatorFunctions.isValidObjectName(group.name)) {
    throw new InputError(
      `name "${group.name.slice(0, 64)}" is not a catalog entity name`,
    );
  }
}
