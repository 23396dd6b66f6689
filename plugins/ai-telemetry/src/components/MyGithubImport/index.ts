export { MyGithubImport } from './MyGithubImport';
