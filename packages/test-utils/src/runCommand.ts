import { spawn } from 'node:child_process';

/** Where and as whom {@link runCommand} runs a command. */
export type RunCommandOptions = {
  cwd?: string;
  /** Written to its standard input. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
};

/** Runs a command to its end and answers its output; rejects with its errors when it fails. */
export function runCommand(
  command: string,
  args: string[],
  options: RunCommandOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      uid: options.uid,
      gid: options.gid,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', chunk => {
      stderr = (stderr + chunk.toString()).slice(-8000);
    });
    child.on('error', reject);
    child.on('close', code => {
      if (code === 0) resolve(stdout + stderr);
      else
        reject(
          new Error(`${command} ${args.join(' ')} failed (${code}): ${stderr}`),
        );
    });
    // A command that exits without reading its input (pg_isready exits at
    // once) is judged by its exit code, not by the broken pipe it leaves.
    child.stdin.on('error', error => {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') reject(error);
    });
    child.stdin.end(options.input ?? '');
  });
}
