import { pseudonymize } from '@fawkes/plugin-ai-telemetry-common';

/** Pseudonyms (`user_hash`) of entity refs under the configured key, computed once per ref. */
export class PseudonymCache {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly key: string) {}

  of(userEntityRef: string): Promise<string> {
    // pseudonymize() lower-cases the ref, so every spelling of a ref shares one entry.
    const ref = userEntityRef.toLocaleLowerCase('en-US');
    let pseudonym = this.cache.get(ref);
    if (!pseudonym) {
      pseudonym = pseudonymize(ref, this.key);
      this.cache.set(ref, pseudonym);
    }
    return pseudonym;
  }
}
