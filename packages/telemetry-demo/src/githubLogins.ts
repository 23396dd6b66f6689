import { makeProfile } from './activity';
import { DemoGroup, DemoOrg, DemoUser } from './org';

/** A GitHub login for a demo user: letters, digits and single hyphens. */
export function githubLoginOf(name: string): string {
  return `${name.replace(/[^a-z0-9]+/gi, '-')}-fawkes`.toLowerCase();
}

/** Whether the user's IDE assistants (drawn from the seed) include Copilot. */
function usesCopilot(user: DemoUser, team: DemoGroup, seed: number): boolean {
  // The assistants do not depend on the period; any will do.
  const profile = makeProfile(user, team, seed, {
    start: 0,
    step: 3600,
    samples: 2,
  });
  return (
    profile.primaryAssistant === 'copilot' ||
    profile.secondaryAssistant?.assistant === 'copilot'
  );
}

/**
 * The organisation with a GitHub login (`github.com/user-login`) for every user but the guest
 * whose IDE assistant is Copilot: the demo imports their Copilot usage from the GitHub stand-in, so the
 * generated history leaves their Copilot out (writeDemoMetrics), as the backend counts Copilot
 * from one source only.
 */
export function withGithubLogins(org: DemoOrg, seed: number): DemoOrg {
  const teams = new Map(org.groups.map(g => [g.name, g]));
  return {
    ...org,
    // Not the guest: the portal's own sign-in sends Copilot events through the CLI and the
    // live trickle, which the import would then stand in for (one source per assistant).
    users: org.users.map(user =>
      user.name !== 'guest' && usesCopilot(user, teams.get(user.team)!, seed)
        ? { ...user, githubLogin: githubLoginOf(user.name) }
        : user,
    ),
  };
}
