import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative, sep } from 'path';

/** The folders of src/ and the other folders their (non-test) modules import. */
function folderImports(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== '__testUtils__') walk(path);
        continue;
      }
      if (!/\.tsx?$/.test(name) || /\.test\.tsx?$/.test(name)) continue;
      const folder = relative(__dirname, path).split(sep)[0];
      const edges = graph.get(folder) ?? new Set<string>();
      graph.set(folder, edges);
      const source = readFileSync(path, 'utf8');
      for (const [, spec] of source.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const target = relative(__dirname, join(dir, spec)).split(sep)[0];
        if (target !== folder && !target.startsWith('..')) edges.add(target);
      }
    }
  };
  for (const name of readdirSync(__dirname)) {
    const path = join(__dirname, name);
    if (statSync(path).isDirectory() && name !== '__testUtils__') walk(path);
  }
  return graph;
}

describe('the layout of the backend', () => {
  it('has feature folders that import one way: no folder imports one that imports it back', () => {
    const graph = folderImports();
    const cycles: string[] = [];
    const visit = (folder: string, path: string[]) => {
      for (const next of graph.get(folder) ?? []) {
        if (next === path[0]) cycles.push([...path, next].join(' → '));
        else if (!path.includes(next)) visit(next, [...path, next]);
      }
    };
    for (const folder of graph.keys()) visit(folder, [folder]);
    expect(cycles).toEqual([]);
    // The layers at the bottom import no feature folder.
    for (const leaf of ['database', 'upstream', 'config', 'http']) {
      expect([...(graph.get(leaf) ?? [])]).toEqual([]);
    }
  });

  it('keeps every store in database/', () => {
    const misplaced: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/Store\.ts$/.test(name) && !dir.endsWith(`${sep}database`)) {
          misplaced.push(relative(__dirname, path));
        }
      }
    };
    walk(__dirname);
    expect(misplaced).toEqual([]);
  });
});
