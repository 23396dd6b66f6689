export { GithubImportCard } from './GithubImportCard';
export { GithubImportNote } from './GithubImportNote';
export { GithubImportOff } from './GithubImportOff';
