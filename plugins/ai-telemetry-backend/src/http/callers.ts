import { HttpAuthService } from '@backstage/backend-plugin-api';
import { Request } from 'express';

/**
 * The signed-in user making the request, as their Backstage token says: a 401 for anything but
 * a user token. Identity never comes from the request's body or query.
 */
export async function userOf(
  httpAuth: HttpAuthService,
  req: Request,
): Promise<string> {
  const { principal } = await httpAuth.credentials(req, { allow: ['user'] });
  return principal.userEntityRef;
}

/**
 * Whether the request carries valid credentials of a signed-in user or a service: for a
 * route that answers everyone but tells more to them. No or invalid credentials are no
 * error here.
 */
export async function isSignedIn(
  httpAuth: HttpAuthService,
  req: Request,
): Promise<boolean> {
  try {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    return true;
  } catch (error) {
    const name = (error as Error)?.name;
    if (name === 'AuthenticationError' || name === 'NotAllowedError') {
      return false;
    }
    throw error;
  }
}
