import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { promises as fs } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DatabaseOptInStore } from '../database/DatabaseOptInStore';
import { hashTelemetryToken } from '../optIn/telemetryTokens';
import { optInServiceWithoutErasure } from '../__testUtils__/optInServiceWithoutErasure';
import { DemoRegistration } from './DemoRegistration';

function user(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: {},
  };
}

const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

describe('DemoRegistration', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'ai-telemetry-demo-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function setUp(entities: Entity[], excludeUsers: string[] = []) {
    const database = mockServices.database({
      knex: await databases.init('SQLITE_3'),
    });
    const optIns = await DatabaseOptInStore.create({ database });
    const optInService = optInServiceWithoutErasure(optIns);
    const tokenFile = join(dir, 'nested', 'demo-tokens.json');
    const demo = () =>
      new DemoRegistration({
        catalog: catalogServiceMock({ entities }),
        auth: mockServices.auth(),
        optIns,
        optInService,
        logger: mockServices.logger.mock(),
        tokenFile,
        excludeUsers,
      });
    return { optIns, optInService, tokenFile, demo };
  }

  async function readTokens(file: string): Promise<Record<string, string>> {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  }

  it('opts in every catalog user and writes their working tokens, readable by the owner only', async () => {
    const { optIns, tokenFile, demo } = await setUp([
      user('ada'),
      user('Bob'),
      group,
    ]);

    const tokens = await demo().registerOnce();

    expect(Object.keys(tokens)).toEqual([
      'user:default/ada',
      'user:default/bob',
    ]);
    expect(await readTokens(tokenFile)).toEqual(tokens);
    expect((await fs.stat(tokenFile)).mode & 0o777).toBe(0o600);
    for (const [ref, token] of Object.entries(tokens)) {
      expect(await optIns.findToken(hashTelemetryToken(token))).toMatchObject({
        userEntityRef: ref,
        issuedBy: 'demo',
        revokedAt: undefined,
      });
      expect(await optIns.history(ref)).toEqual([
        expect.objectContaining({ enabled: true, source: 'demo' }),
      ]);
    }
  });

  it('keeps the tokens of a restart, and issues new ones when the file was lost', async () => {
    const { tokenFile, demo } = await setUp([user('ada')]);
    const first = await demo().registerOnce();

    expect(await demo().registerOnce()).toEqual(first);

    await fs.rm(tokenFile);
    const reissued = await demo().registerOnce();
    expect(reissued['user:default/ada']).toMatch(/^fat_/);
    expect(reissued['user:default/ada']).not.toBe(first['user:default/ada']);
  });

  it('leaves alone users who chose in the portal, and the excluded', async () => {
    const { optIns, optInService, demo } = await setUp(
      [user('ada'), user('bob'), user('cy'), user('guest')],
      ['user:default/guest'],
    );
    await demo().registerOnce();
    await optInService.optOut('user:default/ada');
    const bobsOwn = await optInService.rotateToken('user:default/bob');

    const tokens = await demo().registerOnce();

    expect(Object.keys(tokens)).toEqual(['user:default/cy']);
    expect((await optIns.get('user:default/ada'))?.optedIn).toBe(false);
    expect(
      (await optIns.findToken(hashTelemetryToken(bobsOwn.token)))?.revokedAt,
    ).toBeUndefined();
    expect(await optIns.get('user:default/guest')).toBeUndefined();
  });

  it('fails while the catalog holds no users yet', async () => {
    const { tokenFile, demo } = await setUp([group]);

    await expect(demo().registerOnce()).rejects.toThrow(
      /the catalog holds no User entities yet/,
    );
    await expect(fs.stat(tokenFile)).rejects.toThrow(/ENOENT/);
  });
});
