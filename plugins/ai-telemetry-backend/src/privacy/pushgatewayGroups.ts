import { PushgatewayGroup } from '../upstream/PushgatewayClient';

/** Whether a Pushgateway group, or any series in it, carries the pseudonym. */
export function holdsPseudonym(
  group: PushgatewayGroup,
  userHash: string,
): boolean {
  const carries = (labels: Record<string, string>) =>
    labels.user_hash === userHash || labels.instance === userHash;
  return carries(group.labels) || group.series.some(s => carries(s.labels));
}

/**
 * Whether the group's own grouping labels carry the pseudonym (the seed's `instance/<hash>`,
 * or `user_hash/<hash>`), so that deleting the group deletes nobody else's data.
 */
export function isPseudonymGroup(
  group: PushgatewayGroup,
  userHash: string,
): boolean {
  return (
    group.labels.instance === userHash || group.labels.user_hash === userHash
  );
}

/** `{job="ai_telemetry",instance="…"}`, job first. */
export function describeGroup(group: PushgatewayGroup): string {
  const { job, ...rest } = group.labels;
  const labels = [
    ['job', job],
    ...Object.keys(rest)
      .sort()
      .map(name => [name, rest[name]]),
  ];
  return `{${labels.map(([n, v]) => `${n}="${v}"`).join(',')}}`;
}
