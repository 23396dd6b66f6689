import { validateEvent } from '@fawkes/ai-telemetry-client';
import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
} from '@fawkes/plugin-ai-telemetry-common';
import { createRandom } from './random';
import { developerProfile, randomEvent } from './randomEvents';

describe('randomEvent', () => {
  it('generates the same valid events for the same seed', () => {
    const draw = (seed: number) => {
      const random = createRandom(seed);
      const profile = developerProfile(random);
      return Array.from({ length: 200 }, () => randomEvent(random, profile));
    };
    const events = draw(7);

    expect(draw(7)).toEqual(events);
    expect(draw(8)).not.toEqual(events);
    const lists = {
      languages: DEFAULT_LANGUAGES,
      assistants: DEFAULT_ASSISTANTS,
    };
    for (const event of events) {
      expect(validateEvent(event, lists)).toEqual(event);
    }
    expect(new Set(events.map(e => e.kind))).toEqual(
      new Set(['suggestion', 'feature', 'time_saved']),
    );
  });
});
