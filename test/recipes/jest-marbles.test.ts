// Recipe (docs/testing.md): a marble test of switchGo, with gorx time on the TestScheduler's clock.
import { expect, it } from '@jest/globals';
import { sleep } from 'gorx';
import { runMarbles, switchGo } from 'gorx/rxjs';
import { TestScheduler } from 'rxjs/testing';

it('switchGo: a newer query kills the running search, whose finally runs at that frame', async () => {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const released: string[] = [];
  await runMarbles(scheduler, ({ cold, expectObservable }) => {
    const queries = cold('a-b-----c|');
    const results = queries.pipe(
      switchGo(function* (q: string, ctx) {
        try {
          yield sleep(3, ctx); // the search; a newer query kills it here
          return q.toUpperCase();
        } finally {
          released.push(`${q}@${scheduler.now()}`);
        }
      }),
    );
    expectObservable(results).toBe('-----B-----(C|)', { B: 'B', C: 'C' });
  });
  expect(released).toEqual(['a@2', 'b@5', 'c@11']);
});
