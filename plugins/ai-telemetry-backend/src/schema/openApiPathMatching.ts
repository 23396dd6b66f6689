import { createRequire } from 'module';

/** What path-to-regexp compiles a path to: the pattern and the names of its parameters. */
type CompiledPath = { regexp: RegExp; keys: unknown[] };

type PathToRegexpModule = {
  pathToRegexp: (path: string, options?: object) => CompiledPath;
};

/** How many compiled paths are kept at most: the spec's paths, with room to spare. */
const MAX_COMPILED_PATHS = 1000;

const COMPILES_ONCE = Symbol.for('ai-telemetry.openapi.compilesOnce');

/**
 * Makes `module.pathToRegexp` compile each path and options once and hand out the same pattern
 * afterwards (a copy of its parameter names, which a caller may change). What it compiles to
 * depends on nothing else, and the patterns it makes (flags `i` or none) keep no state between
 * matches. Applied once; later calls leave the module as it is.
 */
export function compileEachPathOnce(module: PathToRegexpModule): void {
  const compile = module.pathToRegexp as PathToRegexpModule['pathToRegexp'] & {
    [COMPILES_ONCE]?: true;
  };
  if (compile[COMPILES_ONCE]) return;
  const compiled = new Map<string, CompiledPath>();
  const compileOnce = Object.assign(
    (path: string, options: object = {}): CompiledPath => {
      const key = `${path}\u0000${JSON.stringify(options)}`;
      let known = compiled.get(key);
      if (!known) {
        known = compile(path, options);
        if (compiled.size < MAX_COMPILED_PATHS) compiled.set(key, known);
      }
      return { regexp: known.regexp, keys: [...known.keys] };
    },
    { [COMPILES_ONCE]: true as const },
  );
  module.pathToRegexp = compileOnce;
}

/**
 * The OpenAPI validation of Backstage's createValidatedOpenApiRouter (express-openapi-validator)
 * finds the operation of each request by compiling the spec's paths with path-to-regexp, one
 * after another, on every request, until one matches: /v1/query is the 17th of 18 (issue 14:
 * about 0.1 ms of each validated request). Its copy of path-to-regexp is made to compile each
 * path once; what the validator matches, and so what it checks, stays the same. Answers
 * whether it could be found (a validator without it still works, only slower).
 */
export function compileOpenApiPathsOnce(): boolean {
  try {
    const fromOpenApiUtils = createRequire(
      require.resolve('@backstage/backend-openapi-utils'),
    );
    const fromValidator = createRequire(
      fromOpenApiUtils.resolve('express-openapi-validator'),
    );
    const module = fromValidator(
      'path-to-regexp',
    ) as Partial<PathToRegexpModule>;
    if (typeof module.pathToRegexp !== 'function') return false;
    compileEachPathOnce(module as PathToRegexpModule);
    return true;
  } catch {
    // Another layout of the dependencies: the validator compiles as it did.
    return false;
  }
}
