/** @module */
import {
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { chan, type Chan } from 'gorx';
import { getChannelToken } from './inject-channel.decorator.js';

/**
 * One channel provider of `GorxModule.forFeature`.
 *
 * @example
 * ```ts
 * import type { ChannelDefinition } from 'gorx/nest';
 *
 * const jobs: ChannelDefinition = { name: 'jobs', capacity: 100 };
 * ```
 */
export interface ChannelDefinition {
  name: string;
  /** As `chan(capacity)`: 0 (default) unbuffered, `n` buffered, `Infinity` unbounded. */
  capacity?: number | undefined;
}

/**
 * Options of `GorxModule.forFeature()`.
 *
 * @example
 * ```ts
 * import type { GorxFeatureOptions } from 'gorx/nest';
 *
 * const options: GorxFeatureOptions = { channels: [{ name: 'jobs', capacity: 10 }] };
 * ```
 */
export interface GorxFeatureOptions {
  channels: ChannelDefinition[];
}

/**
 * The channels of one application, by name: every `forFeature` declaration of a name gets the
 * same channel, and declarations that disagree on its capacity fail the bootstrap. Closes them all
 * at application shutdown, after the workers were stopped, so no sender stays blocked.
 */
@Injectable()
class GorxChannelDirectory implements OnApplicationShutdown {
  private readonly channels = new Map<string, { capacity: number; ch: Chan<unknown> }>();

  channel(name: string, capacity: number): Chan<unknown> {
    const known = this.channels.get(name);
    if (known === undefined) {
      const ch = chan<unknown>(capacity, { name });
      this.channels.set(name, { capacity, ch });
      return ch;
    }
    if (known.capacity !== capacity) {
      throw new TypeError(
        `GorxModule.forFeature: channel "${name}" is declared with capacity ${known.capacity} and with capacity ${capacity}; ` +
          'declarations of one name share one channel, so they must agree',
      );
    }
    return known.ch;
  }

  onApplicationShutdown(): void {
    for (const { ch } of this.channels.values()) if (!ch.closed) ch.close();
  }
}

/** One directory per application: a static module is instantiated once, however often imported. */
@Module({ providers: [GorxChannelDirectory], exports: [GorxChannelDirectory] })
class GorxChannelDirectoryModule {}

/**
 * The module `GorxModule.forFeature()` returns: one provider per channel (token
 * `getChannelToken(name)`), exported. A channel name means one channel per application: two
 * modules that declare `jobs` (with the same capacity) share it; different capacities fail the
 * bootstrap with a `TypeError`. The channels are closed at application shutdown, after the workers
 * were stopped, so no sender stays blocked.
 *
 * @example
 * ```ts
 * import { Module } from '@nestjs/common';
 * import { GorxChannelsModule } from 'gorx/nest';
 *
 * @Module({ imports: [GorxChannelsModule.register({ channels: [{ name: 'jobs', capacity: 10 }] })] })
 * class JobsModule {}
 * ```
 */
@Module({})
export class GorxChannelsModule {
  static register(options: GorxFeatureOptions): DynamicModule {
    const names = new Set<string>();
    for (const c of options.channels) {
      if (typeof c.name !== 'string' || c.name === '') {
        throw new TypeError('GorxModule.forFeature: every channel needs a name');
      }
      if (names.has(c.name)) {
        throw new TypeError(`GorxModule.forFeature: channel "${c.name}" is declared twice`);
      }
      names.add(c.name);
    }
    const tokens = options.channels.map((c) => getChannelToken(c.name));
    const providers: Provider[] = options.channels.map((c) => ({
      provide: getChannelToken(c.name),
      inject: [GorxChannelDirectory],
      useFactory: (directory: GorxChannelDirectory): Chan<unknown> =>
        directory.channel(c.name, c.capacity ?? 0),
    }));
    return {
      module: GorxChannelsModule,
      imports: [GorxChannelDirectoryModule],
      providers,
      exports: tokens,
    };
  }
}
