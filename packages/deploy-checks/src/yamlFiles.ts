import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/**
 * Every document of a (multi-document) YAML file, in order, without empty documents. Throws
 * with the file name and the parser's message when any document is not valid YAML.
 */
export function readYamlDocuments(file: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  const values: unknown[] = [];
  for (const document of documents) {
    const error = document.errors[0];
    if (error) {
      throw new Error(`${file}: ${error.message}`);
    }
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) {
      values.push(value);
    }
  }
  return values;
}

/** The single document of a YAML file; throws when it holds none or several. */
export function readYamlFile(file: string): unknown {
  const documents = readYamlDocuments(file);
  if (documents.length !== 1) {
    throw new Error(
      `${file}: expected one YAML document, found ${documents.length}`,
    );
  }
  return documents[0];
}

/** The names of the YAML files in a folder (not its subfolders), sorted. */
export function yamlFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter(name => /\.ya?ml$/.test(name))
    .sort();
}
