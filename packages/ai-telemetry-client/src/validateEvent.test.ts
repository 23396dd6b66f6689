import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
} from '@fawkes/plugin-ai-telemetry-common';
import { validateEvent } from './validateEvent';

const lists = { languages: DEFAULT_LANGUAGES, assistants: DEFAULT_ASSISTANTS };

describe('validateEvent', () => {
  it('keeps a valid event of each kind as it is', () => {
    const events = [
      {
        kind: 'suggestion',
        language: 'python',
        accepted: true,
        lines: 12,
        waitMs: 800,
        activity: 'code_completion',
        assistant: 'copilot',
        count: 1,
      },
      { kind: 'feature', feature: 'explain', assistant: 'cody', count: 2 },
      {
        kind: 'time_saved',
        activity: 'documentation',
        seconds: 120,
        assistant: 'claude-code',
      },
    ];
    for (const event of events) {
      expect(validateEvent(event, lists)).toEqual(event);
    }
  });

  it('maps identifiers outside the lists to "other", and VS Code variants to their language', () => {
    expect(
      validateEvent(
        {
          kind: 'suggestion',
          language: 'Haskell',
          accepted: false,
          assistant: 'tabnine',
        },
        lists,
      ),
    ).toEqual({
      kind: 'suggestion',
      language: 'other',
      accepted: false,
      assistant: 'other',
    });
    expect(
      validateEvent(
        { kind: 'suggestion', language: 'typescriptreact', accepted: true },
        lists,
      ),
    ).toMatchObject({ language: 'typescript' });
  });

  it.each([
    [
      'code in a label',
      { kind: 'suggestion', language: 'x = eval(input())', accepted: true },
      /language must be an identifier/,
    ],
    [
      'a sentence as assistant',
      { kind: 'feature', feature: 'chat', assistant: 'my secret project' },
      /assistant must be an identifier/,
    ],
    [
      'an unknown field',
      { kind: 'feature', feature: 'chat', prompt: 'fix the bug in auth.ts' },
      /prompt is not a field of a feature event/,
    ],
    [
      'an unknown kind',
      { kind: 'keystroke' },
      /kind must be one of suggestion, feature, time_saved/,
    ],
    [
      'a missing language',
      { kind: 'suggestion', accepted: true },
      /language is required/,
    ],
    [
      'accepted as a string',
      { kind: 'suggestion', language: 'go', accepted: 'yes' },
      /accepted must be true or false/,
    ],
    [
      'a negative count',
      { kind: 'feature', feature: 'chat', count: -1 },
      /count must be an integer from 1 to 100/,
    ],
    [
      'a huge number of lines',
      { kind: 'suggestion', language: 'go', accepted: true, lines: 1e9 },
      /lines must be an integer from 0 to 1000/,
    ],
    [
      'a fractional line count',
      { kind: 'suggestion', language: 'go', accepted: true, lines: 1.5 },
      /lines must be an integer/,
    ],
    [
      'a wait longer than an hour',
      { kind: 'suggestion', language: 'go', accepted: true, waitMs: 3_600_001 },
      /waitMs must be a number from 0 to 3600000/,
    ],
    [
      'an unknown feature',
      { kind: 'feature', feature: 'autopilot' },
      /feature must be one of completion, chat, explain, document, test/,
    ],
    [
      'seconds that are not a number',
      { kind: 'time_saved', activity: 'documentation', seconds: '120' },
      /seconds must be a number from 0 to 3600/,
    ],
    [
      'a missing seconds',
      { kind: 'time_saved', activity: 'documentation' },
      /seconds is required/,
    ],
    ['an array', [], /event must be an object/],
  ])('rejects %s, naming the field', (_name, event, message) => {
    expect(() => validateEvent(event, lists)).toThrow(message);
  });
});
