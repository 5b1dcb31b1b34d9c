// Guards the toolchain itself: ESM Jest + @swc/jest must keep legacy decorators, decorator
// metadata and fake timers working, because the core tests and the Nest module rely on all three.
import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';

const MARK = Symbol('mark');

function Mark(label: string): MethodDecorator {
  return (target, key) => {
    Reflect.defineMetadata(MARK, label, target, key);
  };
}

class Clock {
  now(): number {
    return 42;
  }
}

// A legacy class decorator is what makes the compiler emit `design:paramtypes` for the class.
function Service(): ClassDecorator {
  return () => {};
}

@Service()
class Worker {
  constructor(readonly clock: Clock) {}

  @Mark('work')
  run(): number {
    return this.clock.now();
  }
}

@Injectable()
class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

@Injectable()
class GreeterUser {
  constructor(readonly greeter: Greeter) {}
}

@Module({ providers: [Greeter, GreeterUser], exports: [GreeterUser] })
class GreeterModule {}

describe('toolchain', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('fake timers resolve a setTimeout promise only when virtual time advances', async () => {
    jest.useFakeTimers();
    let fired = false;
    const done = new Promise<void>((resolve) =>
      setTimeout(() => {
        fired = true;
        resolve();
      }, 1000),
    );
    await jest.advanceTimersByTimeAsync(999);
    expect(fired).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await done;
    expect(fired).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('legacy method decorators store metadata readable through reflect-metadata', () => {
    expect(Reflect.getMetadata(MARK, Worker.prototype, 'run')).toBe('work');
    expect(new Worker(new Clock()).run()).toBe(42);
  });

  it('decorated classes carry design:paramtypes for constructor injection', () => {
    expect(Reflect.getMetadata('design:paramtypes', Worker)).toEqual([Clock]);
  });

  it('a Nest testing module resolves constructor-injected providers and closes cleanly', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [GreeterModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const user = app.get(GreeterUser);
    expect(user.greeter).toBeInstanceOf(Greeter);
    expect(user.greeter.greet('gorx')).toBe('hello gorx');
    await app.close();
  });

  it('Test.createTestingModule({ providers }) compiles and returns the provider', async () => {
    const moduleRef = await Test.createTestingModule({ providers: [Greeter] }).compile();
    expect(moduleRef.get(Greeter).greet('nest')).toBe('hello nest');
    await moduleRef.close();
  });
});
