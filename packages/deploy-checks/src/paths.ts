import { resolve } from 'node:path';

/**
 * The repository's deploy/ folder: the files an operator applies, read as they are. This
 * package's tests run from a checkout only, never from a production build, so its own folder
 * is where the repository is.
 */
// eslint-disable-next-line no-restricted-syntax
export const DEPLOY_DIR = resolve(__dirname, '../../../deploy');

/** A path inside deploy/, e.g. `deployPath('kubernetes', 'prometheus.yaml')`. */
export function deployPath(...parts: string[]): string {
  return resolve(DEPLOY_DIR, ...parts);
}
