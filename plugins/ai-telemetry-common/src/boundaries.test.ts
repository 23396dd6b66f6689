import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';

/**
 * The common package holds only what more than the backend needs: the contract, the API's
 * request and response types, the permissions, the pseudonym and the CSV writer. A module here
 * that no package but the backend imports belongs in the backend (issue 14: the panel catalog,
 * its PromQL builders and the window arithmetic lived here, imported by the backend alone).
 */
const REPO = join(__dirname, '..', '..', '..');
const COMMON_SRC = __dirname;
const BACKEND = join(REPO, 'plugins', 'ai-telemetry-backend');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) {
      return [];
    }
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function isTest(path: string): boolean {
  return /\.test\.tsx?$|setupTests\.ts$/.test(path);
}

const EXPORTED =
  /export\s+(?:declare\s+)?(?:async\s+)?(?:const|let|function|type|class|interface|enum)\s+([A-Za-z_$][\w$]*)/g;
const IMPORTED =
  /import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+['"]@fawkes\/plugin-ai-telemetry-common['"]/g;

/** Names imported from the common package by every package but the backend and common itself. */
function importedOutsideTheBackend(): Set<string> {
  const roots = ['packages', 'plugins'].flatMap(dir =>
    readdirSync(join(REPO, dir)).map(name => join(REPO, dir, name)),
  );
  const names = new Set<string>();
  for (const root of roots) {
    if (root === BACKEND || root === join(COMMON_SRC, '..')) continue;
    for (const dir of ['src', 'e2e-tests']) {
      const path = join(root, dir);
      try {
        statSync(path);
      } catch {
        continue;
      }
      for (const file of sourceFiles(path)) {
        for (const match of readFileSync(file, 'utf8').matchAll(IMPORTED)) {
          for (const part of match[1].split(',')) {
            const name = part
              .replace(/^\s*type\s+/, '')
              .split(/\s+as\s+/)[0]
              .trim();
            if (name) names.add(name);
          }
        }
      }
    }
  }
  return names;
}

describe('the common package', () => {
  it('has no module that only the backend imports', () => {
    const used = importedOutsideTheBackend();
    const backendOnly = sourceFiles(COMMON_SRC)
      .filter(file => !isTest(file) && !file.endsWith('index.ts'))
      .filter(file => {
        const exported = [...readFileSync(file, 'utf8').matchAll(EXPORTED)].map(
          m => m[1],
        );
        return exported.length > 0 && !exported.some(name => used.has(name));
      })
      .map(file => relative(COMMON_SRC, file));
    expect(backendOnly).toEqual([]);
  });
});
