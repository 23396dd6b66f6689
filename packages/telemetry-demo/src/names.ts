/** Word lists for the demo organisation: people's names, and team names with their tech stacks. */

export const FIRST_NAMES: readonly string[] = (
  'Amelia Oliver Priya Mateo Sofia Liam Aisha Noah Hana Lucas Chloe Ethan Fatima Kenji ' +
  'Isabel Daniel Mei Samuel Zara Jonas Elena Omar Grace Rafael Ingrid Arjun Leah Tomasz ' +
  'Nora Kwame Julia Diego Freya Hiroshi Maya Felix Anika Gabriel Yara Henrik Clara Ravi ' +
  'Emma Malik Lina Marcus Sienna Tariq Ava Bruno Chiara Dmitri Esther Femi Greta Hugo ' +
  'Ines Jakob Kalani Lars Mina Nikhil Olivia Pablo Quinn Rosa Stefan Tessa Umar Vera ' +
  'Wei Ximena Yusuf Zoe Adaeze Björn Carmen Dev Elif Farah'
).split(' ');

export const LAST_NAMES: readonly string[] = (
  'Andersson Okafor Nakamura García Müller Patel Kowalski Haddad Nguyen Rossi Johansson ' +
  "Mensah Fernandes Schmidt Tanaka O'Brien Dubois Ivanova Chen Silva Novak Kaur " +
  'Lindqvist Moreau Adeyemi Bianchi Kim Larsen Mahmoud Costa Jensen Petrov Yamamoto ' +
  'Herrera Fischer Singh Dvořák Osei Lambert Park Eriksen Romero Weber Gupta Horvat Ali ' +
  'Bauer Castillo Nieminen Sato Murphy Ahmed Kovács Lopez Meyer Reddy Svensson Torres ' +
  'Walsh Zhang Abara Berg Carvalho Demir Engel Friedman Goldberg Hansen Iyer Jovanović ' +
  'Keller Lund Marino Nowak Olsen Quist'
).split(' ');

/** A team of the curated list: its name, title, department and the languages it mostly writes. */
export type TeamTemplate = {
  name: string;
  displayName: string;
  department?: string;
  languages: readonly string[];
};

/** Departments that curated teams belong to. */
export const DEPARTMENT_TITLES: Record<string, string> = {
  'product-engineering': 'Product Engineering',
  'platform-engineering': 'Platform Engineering',
  'data-ai': 'Data & AI',
};

/**
 * Curated teams, in the order they are used: an organisation of T teams takes the first T. A
 * department is only created when at least two of its teams are taken; otherwise its team stands
 * alone at the top level.
 */
export const TEAM_TEMPLATES: readonly TeamTemplate[] = [
  {
    name: 'checkout',
    displayName: 'Checkout',
    department: 'product-engineering',
    languages: ['java', 'typescript'],
  },
  {
    name: 'cloud-infrastructure',
    displayName: 'Cloud Infrastructure',
    department: 'platform-engineering',
    languages: ['go', 'python'],
  },
  {
    name: 'search-discovery',
    displayName: 'Search & Discovery',
    department: 'product-engineering',
    languages: ['java', 'python'],
  },
  {
    name: 'developer-experience',
    displayName: 'Developer Experience',
    department: 'platform-engineering',
    languages: ['typescript', 'go'],
  },
  {
    name: 'mobile-apps',
    displayName: 'Mobile Apps',
    department: 'product-engineering',
    languages: ['kotlin', 'typescript'],
  },
  {
    name: 'site-reliability',
    displayName: 'Site Reliability',
    department: 'platform-engineering',
    languages: ['go', 'python'],
  },
  {
    name: 'data-platform',
    displayName: 'Data Platform',
    department: 'data-ai',
    languages: ['python', 'java'],
  },
  { name: 'security', displayName: 'Security', languages: ['go', 'rust'] },
  {
    name: 'growth',
    displayName: 'Growth',
    department: 'product-engineering',
    languages: ['typescript', 'javascript'],
  },
  {
    name: 'build-release',
    displayName: 'Build & Release',
    department: 'platform-engineering',
    languages: ['go', 'other'],
  },
  {
    name: 'machine-learning',
    displayName: 'Machine Learning',
    department: 'data-ai',
    languages: ['python', 'cpp'],
  },
  {
    name: 'design-systems',
    displayName: 'Design Systems',
    languages: ['typescript', 'javascript'],
  },
  {
    name: 'customer-accounts',
    displayName: 'Customer Accounts',
    department: 'product-engineering',
    languages: ['csharp', 'typescript'],
  },
  {
    name: 'analytics',
    displayName: 'Analytics',
    department: 'data-ai',
    languages: ['python', 'other'],
  },
  {
    name: 'payments',
    displayName: 'Payments',
    department: 'product-engineering',
    languages: ['java', 'kotlin'],
  },
  {
    name: 'observability',
    displayName: 'Observability',
    department: 'platform-engineering',
    languages: ['go', 'rust'],
  },
  {
    name: 'internal-tools',
    displayName: 'Internal Tools',
    languages: ['ruby', 'typescript'],
  },
  {
    name: 'notifications',
    displayName: 'Notifications',
    department: 'product-engineering',
    languages: ['kotlin', 'go'],
  },
];

/** Words for the names of teams beyond the curated list ("squad-aurora-2"). */
export const SQUAD_WORDS: readonly string[] = (
  'aurora beacon comet delta ember falcon glacier harbor ion juniper kestrel lumen ' +
  'meridian nimbus orbit pioneer quartz raven summit tidal umbra vector willow xenon ' +
  'yonder zephyr'
).split(' ');
