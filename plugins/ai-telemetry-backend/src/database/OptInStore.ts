/** Who changed an opt-in or issued a token: the user in the portal, or the development demo. */
export type OptInSource = 'portal' | 'demo';

/** Why a telemetry token stopped working. */
export type TokenRevocationReason = 'rotated' | 'opted_out';

/** A user's registration. Entity refs are stored in lower case. */
export type OptInRecord = {
  userEntityRef: string;
  userHash: string;
  optedIn: boolean;
  /** When the current opt-in began; undefined while opted out. */
  since?: Date;
  createdAt: Date;
  updatedAt: Date;
};

export type OptInHistoryRecord = {
  enabled: boolean;
  source: OptInSource;
  at: Date;
};

/** A telemetry token, as stored: its hash and what became of it. */
export type TelemetryTokenRecord = {
  userEntityRef: string;
  issuedBy: OptInSource;
  createdAt: Date;
  revokedAt?: Date;
  revokedReason?: TokenRevocationReason;
};

/**
 * The opt-in registry: who turned AI telemetry on, the history of every change, and the
 * hashes of the telemetry tokens that authorise ingestion.
 */
export interface OptInStore {
  get(userEntityRef: string): Promise<OptInRecord | undefined>;

  /** Every change of the user's opt-in, oldest first. */
  history(userEntityRef: string): Promise<OptInHistoryRecord[]>;

  /**
   * Turns telemetry on (recording the change when it was off) and makes `tokenHash` the
   * user's only working token, all in one transaction. `userHash` is kept from the first
   * registration on.
   */
  optIn(options: {
    userEntityRef: string;
    userHash: string;
    tokenHash: string;
    source: OptInSource;
  }): Promise<OptInRecord>;

  /**
   * Turns telemetry off and revokes every token of the user, in one transaction. Returns
   * undefined for a user who never opted in (nothing is recorded for them).
   */
  optOut(options: {
    userEntityRef: string;
    source: OptInSource;
  }): Promise<OptInRecord | undefined>;

  /**
   * Makes `tokenHash` the user's only working token. Returns false, changing nothing, when
   * the user is not opted in.
   */
  rotateToken(options: {
    userEntityRef: string;
    tokenHash: string;
    source: OptInSource;
  }): Promise<boolean>;

  findToken(tokenHash: string): Promise<TelemetryTokenRecord | undefined>;

  /** The user's working token, if any. */
  activeToken(userEntityRef: string): Promise<TelemetryTokenRecord | undefined>;

  /** Every user who is opted in now, with their pseudonym. */
  listOptedIn(): Promise<Array<{ userEntityRef: string; userHash: string }>>;

  countOptedIn(): Promise<number>;

  /**
   * A number that changes whenever anyone opts in or out (the newest change's id): answers
   * worked out from who is opted in can be reused while it stays the same.
   */
  registryVersion(): Promise<number>;
}
