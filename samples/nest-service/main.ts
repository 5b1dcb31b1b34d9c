// The gorx/nest sample service: `npm run sample:nest`, then try the curl session of the README.
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

const app = await NestFactory.create(AppModule);
app.enableShutdownHooks(); // SIGINT/SIGTERM: workers are killed, cleanups awaited (2 s grace)
const port = Number(process.env.PORT ?? 3000);
await app.listen(port);
new Logger('Sample').log(`listening on ${await app.getUrl()}`);
