import { runCommand } from './runCommand';

describe('runCommand', () => {
  it('answers the output of a command that reads its input', async () => {
    await expect(runCommand('cat', [], { input: 'kept' })).resolves.toBe(
      'kept',
    );
  });

  it('judges a command that exits without reading its input by its exit code', async () => {
    // A megabyte does not fit in the pipe: the write fails with EPIPE once
    // `true` has exited, which must not turn into an error of its own.
    const input = 'x'.repeat(1024 * 1024);
    await expect(runCommand('true', [], { input })).resolves.toBe('');
    await expect(runCommand('false', [], { input })).rejects.toThrow(
      'false  failed (1)',
    );
  });

  it('runs a command with no input at all', async () => {
    await expect(runCommand('sh', ['-c', 'echo ready'])).resolves.toBe(
      'ready\n',
    );
  });
});
