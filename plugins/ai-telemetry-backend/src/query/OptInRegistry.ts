/**
 * What the query side needs from the opt-in registry: who is opted in now, with their pseudonym
 * (the `OptInStore` of the database module has this method).
 */
export interface OptInRegistry {
  listOptedIn(): Promise<Array<{ userEntityRef: string; userHash: string }>>;
}
