import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';

/**
 * HTTP Basic authentication for the worker board (page, event stream and actions). The
 * credentials come from BOARD_USER / BOARD_PASSWORD (the sample's defaults: admin / gorx).
 * Serve the board over HTTPS in production: Basic sends the password with every request.
 */
@Injectable()
export class BoardAuthGuard implements CanActivate {
  private readonly expected = Buffer.from(
    `Basic ${Buffer.from(`${process.env.BOARD_USER ?? 'admin'}:${process.env.BOARD_PASSWORD ?? 'gorx'}`).toString('base64')}`,
  );

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const given = Buffer.from(
      http.getRequest<{ headers: { authorization?: string } }>().headers.authorization ?? '',
    );
    if (given.length === this.expected.length && timingSafeEqual(given, this.expected)) return true;
    // Ask the browser for credentials.
    this.adapterHost.httpAdapter.setHeader(
      http.getResponse(),
      'WWW-Authenticate',
      'Basic realm="gorx board", charset="UTF-8"',
    );
    throw new UnauthorizedException('board credentials required');
  }
}
