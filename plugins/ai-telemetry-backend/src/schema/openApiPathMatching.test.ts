import { createRequire } from 'module';
import {
  compileEachPathOnce,
  compileOpenApiPathsOnce,
} from './openApiPathMatching';

/** A stand-in for path-to-regexp that counts what it compiles. */
function countingModule() {
  const compiled: string[] = [];
  const module = {
    pathToRegexp: (path: string, options: { sensitive?: boolean } = {}) => {
      compiled.push(path);
      return {
        regexp: new RegExp(`^${path}$`, options.sensitive ? '' : 'i'),
        keys: [{ name: path }],
      };
    },
  };
  return { module, compiled };
}

describe('compileEachPathOnce', () => {
  it('compiles a path once for the same options, and matches as before', () => {
    const { module, compiled } = countingModule();
    compileEachPathOnce(module);
    for (let i = 0; i < 3; i++) {
      const { regexp } = module.pathToRegexp('/v1/query', { sensitive: false });
      expect(regexp.test('/V1/QUERY')).toBe(true);
      expect(regexp.test('/v1/queries')).toBe(false);
    }
    expect(compiled).toEqual(['/v1/query']);
  });

  it('compiles again for other options or another path', () => {
    const { module, compiled } = countingModule();
    compileEachPathOnce(module);
    expect(
      module
        .pathToRegexp('/v1/query', { sensitive: true })
        .regexp.test('/V1/QUERY'),
    ).toBe(false);
    module.pathToRegexp('/v1/query', { sensitive: false });
    module.pathToRegexp('/v1/dashboard', { sensitive: false });
    expect(compiled).toEqual(['/v1/query', '/v1/query', '/v1/dashboard']);
  });

  it("hands each caller its own list of parameter names, and wraps a module's function once", () => {
    const { module, compiled } = countingModule();
    compileEachPathOnce(module);
    const first = module.pathToRegexp('/v1/panels/:id');
    first.keys.push({ name: 'changed' });
    expect(module.pathToRegexp('/v1/panels/:id').keys).toEqual([
      { name: '/v1/panels/:id' },
    ]);
    const wrapped = module.pathToRegexp;
    compileEachPathOnce(module);
    expect(module.pathToRegexp).toBe(wrapped);
    expect(compiled).toEqual(['/v1/panels/:id']);
  });
});

describe('compileOpenApiPathsOnce', () => {
  it("finds the OpenAPI validator's path-to-regexp and makes it compile each path once", () => {
    expect(compileOpenApiPathsOnce()).toBe(true);
    const fromOpenApiUtils = createRequire(
      require.resolve('@backstage/backend-openapi-utils'),
    );
    const { pathToRegexp } = createRequire(
      fromOpenApiUtils.resolve('express-openapi-validator'),
    )('path-to-regexp');
    const first = pathToRegexp('/v1/teams/:namespace/:name/dashboard', {});
    const again = pathToRegexp('/v1/teams/:namespace/:name/dashboard', {});
    expect(again.regexp).toBe(first.regexp);
    expect(
      again.regexp.exec('/v1/teams/default/alpha/dashboard')?.slice(1),
    ).toEqual(['default', 'alpha']);
    expect(again.keys.map((k: { name: string }) => k.name)).toEqual([
      'namespace',
      'name',
    ]);
  });
});
