/** @module */
import {
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
 * The module `GorxModule.forFeature()` returns: one provider per channel (token
 * `getChannelToken(name)`), exported; the channels are closed at application shutdown, after
 * the workers were killed, so no sender stays blocked.
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
      useFactory: (): Chan<unknown> => chan<unknown>(c.capacity ?? 0, { name: c.name }),
    }));
    providers.push({
      provide: Symbol('gorx:channel-closer'),
      inject: tokens,
      useFactory: (...channels: Chan<unknown>[]): OnApplicationShutdown => ({
        onApplicationShutdown(): void {
          for (const ch of channels) if (!ch.closed) ch.close();
        },
      }),
    });
    return { module: GorxChannelsModule, providers, exports: tokens };
  }
}
