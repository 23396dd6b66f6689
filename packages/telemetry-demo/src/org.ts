import { stringify } from 'yaml';
import {
  DEPARTMENT_TITLES,
  FIRST_NAMES,
  LAST_NAMES,
  SQUAD_WORDS,
  TEAM_TEMPLATES,
  TeamTemplate,
} from './names';
import { createRandom } from './random';

/** A Group of the demo organisation: a department or a product area (parents), or a team. */
export type DemoGroup = {
  name: string;
  displayName: string;
  type: 'department' | 'product-area' | 'team';
  parent?: string;
  children: string[];
  /** Languages the team mostly writes (teams, and a product area: its team's). */
  languages: readonly string[];
  /** Whether the team's AI usage grows over the period. */
  rising: boolean;
};

/** A User of the demo organisation. */
export type DemoUser = {
  name: string;
  displayName: string;
  email: string;
  team: string;
  /** The entity ref that is pseudonymised into user_hash. */
  ref: string;
  /**
   * The GitHub login (the `github.com/user-login` annotation) of a user whose IDE assistant is
   * Copilot: their Copilot usage comes from the GitHub import (the GitHub stand-in in the demo),
   * not from the generated history.
   */
  githubLogin?: string;
};

export type DemoOrg = {
  groups: DemoGroup[];
  users: DemoUser[];
};

export type OrgOptions = {
  /** Users in the catalog, the guest included. */
  users: number;
  /** Teams; derived from the number of users when absent. */
  teams?: number;
  seed: number;
};

/** The portal's guest sign-in is mapped to this catalog user. */
export const GUEST_USER_NAME = 'guest';
export const EMAIL_DOMAIN = 'fawkes.example.com';

/** The members of the two deliberately small teams: below the privacy threshold of 5. */
export const SMALL_TEAM_SIZES = [3, 4] as const;
const MIN_TEAM_SIZE = 5;

/**
 * The product area: a group whose only direct members are its two leads, over one team (among
 * the first curated ones, so at least 5 people in an organisation of 6 teams or more). The area's
 * figures would be its team's plus the two leads', so the portal withholds them (subtracting the
 * team would single the leads out), while the team's own are shown.
 */
export const PRODUCT_AREA = {
  name: 'marketplace',
  displayName: 'Marketplace',
  team: 'search-discovery',
  leads: 2,
} as const;

/** About six people per team, and never fewer than six teams. */
export function defaultTeamCount(users: number): number {
  return Math.max(6, Math.round(users / 6));
}

/** An entity name from a person's name: lower case ASCII, no accents or apostrophes. */
export function toEntityName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

function teamTemplate(index: number): TeamTemplate {
  if (index < TEAM_TEMPLATES.length) {
    return TEAM_TEMPLATES[index];
  }
  const n = index - TEAM_TEMPLATES.length;
  const word = SQUAD_WORDS[n % SQUAD_WORDS.length];
  const round = Math.floor(n / SQUAD_WORDS.length) + 1;
  const title = word[0].toUpperCase() + word.slice(1);
  return {
    name: `squad-${word}-${round}`,
    displayName: `Squad ${title} ${round}`,
    // Squads are grouped six to a unit.
    department: `engineering-unit-${Math.floor(n / 6) + 1}`,
    languages: [],
  };
}

function departmentTitle(name: string): string {
  const known = DEPARTMENT_TITLES[name];
  if (known) {
    return known;
  }
  return `Engineering Unit ${name.replace(/^engineering-unit-/, '')}`;
}

/**
 * Splits the people of the teams (everyone but the guest and the product area's leads) into
 * team sizes: two small teams, every other team at least 5.
 */
function teamSizes(
  people: number,
  teams: number,
  random: ReturnType<typeof createRandom>,
): number[] {
  const small = SMALL_TEAM_SIZES.reduce((a, b) => a + b, 0);
  const regular = teams - SMALL_TEAM_SIZES.length;
  if (regular < 1 || people < small + regular * MIN_TEAM_SIZE) {
    const others = PRODUCT_AREA.leads + 1;
    throw new Error(
      `cannot make ${teams} teams from ${
        people + others
      } users: need at least ${SMALL_TEAM_SIZES.length + 1} teams and ${
        small + MIN_TEAM_SIZE + others
      } users, with ${MIN_TEAM_SIZE} users for every team beyond the two small ones, ` +
        `${PRODUCT_AREA.leads} product area leads and the guest`,
    );
  }
  const weights = Array.from({ length: regular }, () => 0.6 + random.next());
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const extra = people - small - regular * MIN_TEAM_SIZE;
  const sizes = weights.map(
    w => MIN_TEAM_SIZE + Math.floor((extra * w) / totalWeight),
  );
  let left = people - small - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % regular, left--) {
    sizes[i]++;
  }
  // The two small teams are the last and the third-last team of the list.
  const all = sizes.slice();
  all.splice(teams - 3, 0, SMALL_TEAM_SIZES[1]);
  all.push(SMALL_TEAM_SIZES[0]);
  return all;
}

/** Unique realistic people, in a seeded order. */
function makePeople(
  count: number,
  random: ReturnType<typeof createRandom>,
): Array<{ name: string; displayName: string }> {
  const taken = new Set<string>([GUEST_USER_NAME]);
  const people: Array<{ name: string; displayName: string }> = [];
  while (people.length < count) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const base = `${toEntityName(first)}.${toEntityName(last)}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) {
      name = `${base}${n}`;
    }
    taken.add(name);
    people.push({ name, displayName: `${first} ${last}` });
  }
  return people;
}

/**
 * The demo organisation: departments with nested teams, the product area with its leads over
 * one of them, standalone teams, people, the guest.
 */
export function buildOrg(options: OrgOptions): DemoOrg {
  const random = createRandom(options.seed, 'org');
  const teamCount = options.teams ?? defaultTeamCount(options.users);
  // Everyone but the guest and the leads is placed by size; the guest then joins the largest team.
  const sizes = teamSizes(
    options.users - 1 - PRODUCT_AREA.leads,
    teamCount,
    random,
  );

  const templates = Array.from({ length: teamCount }, (_, i) =>
    teamTemplate(i),
  );
  // The product area takes its team's place in the department.
  const areaTeam = templates.find(t => t.name === PRODUCT_AREA.team);
  if (!areaTeam) {
    throw new Error(
      `the curated team ${PRODUCT_AREA.team} is not among the teams`,
    );
  }
  const departmentTeams = new Map<string, string[]>();
  for (const t of templates) {
    if (t.department) {
      departmentTeams.set(t.department, [
        ...(departmentTeams.get(t.department) ?? []),
        t === areaTeam ? PRODUCT_AREA.name : t.name,
      ]);
    }
  }
  const departments = [...departmentTeams].filter(
    ([, children]) => children.length >= 2,
  );
  const parentOf = new Map<string, string>();
  for (const [department, children] of departments) {
    for (const child of children) parentOf.set(child, department);
  }
  parentOf.set(areaTeam.name, PRODUCT_AREA.name);

  // A couple of teams (about one in seven) adopt the assistants during the period.
  const regularTeams = templates.filter((_, i) => sizes[i] >= MIN_TEAM_SIZE);
  const risingCount = Math.max(2, Math.round(teamCount * 0.15));
  const rising = new Set(
    random
      .shuffle(regularTeams)
      .slice(0, risingCount)
      .map(t => t.name),
  );

  const groups: DemoGroup[] = [
    ...departments.map(([name, children]) => ({
      name,
      displayName: departmentTitle(name),
      type: 'department' as const,
      children,
      languages: [],
      rising: false,
    })),
    {
      name: PRODUCT_AREA.name,
      displayName: PRODUCT_AREA.displayName,
      type: 'product-area' as const,
      parent: parentOf.get(PRODUCT_AREA.name),
      children: [areaTeam.name],
      languages: areaTeam.languages,
      rising: false,
    },
    ...templates.map(t => ({
      name: t.name,
      displayName: t.displayName,
      type: 'team' as const,
      parent: parentOf.get(t.name),
      children: [],
      languages:
        t.languages.length > 0
          ? t.languages
          : random
              .shuffle([
                'python',
                'typescript',
                'java',
                'go',
                'csharp',
                'kotlin',
              ])
              .slice(0, 2),
      rising: rising.has(t.name),
    })),
  ];

  const people = makePeople(options.users - 1, random);
  const users: DemoUser[] = [];
  const place = (person: (typeof people)[number], team: string) =>
    users.push({
      ...person,
      email: `${person.name}@${EMAIL_DOMAIN}`,
      team,
      ref: `user:default/${person.name}`,
    });
  let next = 0;
  templates.forEach((t, i) => {
    for (let k = 0; k < sizes[i]; k++, next++) place(people[next], t.name);
  });
  for (; next < people.length; next++) place(people[next], PRODUCT_AREA.name);
  const largest = templates[sizes.indexOf(Math.max(...sizes))].name;
  users.push({
    name: GUEST_USER_NAME,
    displayName: 'Guest User',
    email: `${GUEST_USER_NAME}@${EMAIL_DOMAIN}`,
    team: largest,
    ref: `user:default/${GUEST_USER_NAME}`,
  });
  return { groups, users };
}

/** The catalog annotation of a User's GitHub login (Backstage's GitHub org provider sets it). */
export const GITHUB_LOGIN_ANNOTATION = 'github.com/user-login';

/** The comment that opens a generated catalog file: what it is and how to make it again. */
export function catalogHeader(
  org: DemoOrg,
  options: OrgOptions & { orgOut: string },
): string {
  const command = [
    'yarn workspace @fawkes/ai-telemetry-demo generate',
    `--users ${options.users}`,
    ...(options.teams === undefined ? [] : [`--teams ${options.teams}`]),
    `--seed ${options.seed}`,
    `--org-out ${options.orgOut}`,
  ].join(' ');
  const teams = org.groups.filter(g => g.type === 'team').length;
  return [
    `The Fawkes demo organisation: ${org.users.length} users in ${teams} teams, generated by packages/telemetry-demo (seed ${options.seed}).`,
    'Do not edit by hand; regenerate it from the repository root with:',
    `  ${command}`,
    "user:default/guest is the portal's guest sign-in (auth.providers.guest.userEntityRef).",
  ].join('\n');
}

/** The organisation as Backstage catalog YAML: one document per Group and User. */
export function orgToCatalogYaml(org: DemoOrg, header: string): string {
  const documents: object[] = [];
  for (const group of org.groups) {
    documents.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: {
        name: group.name,
        title: group.displayName,
        description: {
          department: `${group.displayName} department`,
          'product-area': `The ${group.displayName} product area, with its leads`,
          team: `The ${group.displayName} team`,
        }[group.type],
      },
      spec: {
        type: group.type,
        profile: {
          displayName: group.displayName,
          email: `${group.name}@${EMAIL_DOMAIN}`,
        },
        ...(group.parent ? { parent: group.parent } : {}),
        children: group.children,
      },
    });
  }
  for (const user of org.users) {
    documents.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: {
        name: user.name,
        ...(user.githubLogin && {
          annotations: { [GITHUB_LOGIN_ANNOTATION]: user.githubLogin },
        }),
      },
      spec: {
        profile: { displayName: user.displayName, email: user.email },
        memberOf: [user.team],
      },
    });
  }
  const comment = header
    .split('\n')
    .map(line => (line ? `# ${line}` : '#'))
    .join('\n');
  const body = documents
    .map(doc => `---\n${stringify(doc, { lineWidth: 0 })}`)
    .join('');
  return `${comment}\n${body}`;
}
