// The random-program scheduler itself: its choices must keep varying for as long as a run lasts.
import { describe, expect, it } from '@jest/globals';
import { RunState } from './run-state.js';

describe('random-program scheduler', () => {
  it('follows picks while they last, then keeps varying its choices (no fixed move after 80 steps)', () => {
    const s = new RunState({
      capacities: [0],
      promises: [],
      actors: [[]],
      kinds: [],
      picks: [3, 1, 4],
      seed: 7,
    });
    const choices: number[] = [];
    for (let step = 0; step < 400; step++) {
      s.step = step;
      choices.push(s.pick());
    }
    expect(choices.slice(0, 3)).toEqual([3, 1, 4]);
    const late = choices.slice(80);
    for (const moves of [2, 3, 5]) {
      expect(new Set(late.map((c) => c % moves)).size).toBe(moves);
    }
  });
});
